import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The demo: the two seeded calls exactly as their seeds describe them (000: AMIF 2024; 003: communes 2023),
/// the five projects of seed 001 for the register, one user per role, a commune and an asbl, and a copy
/// of each call with dates around today, clearly marked as a demo, so a newcomer can apply.
/// Loading it twice changes nothing.
enum DemoData {
    static let password = "subsidia-demo-2026"

    static let users: [(email: String, name: String, role: UserRole)] = [
        ("admin@subsidia.example", "Alex Admin (démo)", .admin),
        ("officer@subsidia.example", "Olivia Officer (démo)", .officer),
        ("evaluator@subsidia.example", "Eva Evaluator (démo)", .evaluator),
        ("finance@subsidia.example", "Finn Finance (démo)", .finance),
        ("applicant@subsidia.example", "Anna Applicant (démo)", .applicant),
    ]

    static func load(_ app: Application) async throws {
        let now = app.clock.now()
        let hash = try await app.password.async.hash(password)
        try await app.db.transaction { db in
            var byEmail: [String: User] = [:]
            for u in users {
                if let existing = try await User.query(on: db).filter(\.$email == u.email).first() {
                    byEmail[u.email] = existing
                    continue
                }
                let user = User(email: u.email, name: u.name, passwordHash: hash, role: u.role, confirmedAt: now)
                try await user.create(on: db)
                byEmail[u.email] = user
            }
            if let applicant = byEmail["applicant@subsidia.example"] { try await organisations(owner: applicant, on: db) }
            let amif = try await programme(amifProgramme, on: db)
            let communes = try await programme(communesProgramme, on: db)
            try await amifCall(programme: amif, on: db)
            try await communesCall(programme: communes, on: db)
            try await demoCopies(now: now, amif: amif, communes: communes, on: db)
            try await register(on: db)
            let event = AuditEvent()
            event.occurredAt = now
            event.action = "demo.loaded"
            event.entityType = "platform"
            event.summary = "demo data checked or loaded"
            try await event.create(on: db)
        }
        // Every call carries its form's questions as data (COM-22, AMIF-06).
        try await app.store.write(.notAudited(because: "the demo calls' questions, part of demo.loaded")) { tx in
            for c in try await tx.query(Call.self).all() { try await CallQuestion.ensure(for: c, on: tx) }
        }
    }

    // MARK: Organisations

    private static func organisations(owner: User, on db: any Database) async throws {
        struct Demo {
            let name: String, form: LegalForm, rcs: String?, street: String, postcode: String, locality: String, pakt: Bool?
        }
        let orgs = [
            Demo(name: "Commune de Démoville (démo)", form: .commune, rcs: nil, street: "1, place de la Mairie (démo)",
                 postcode: "L-9999", locality: "Démoville", pakt: true),
            Demo(name: "ASBL Démo Intégration (démo)", form: .asbl, rcs: "F99999", street: "2, rue de la Démo",
                 postcode: "L-9998", locality: "Démoville", pakt: nil),
        ]
        for d in orgs where try await Organisation.query(on: db).filter(\.$legalName == d.name).count() == 0 {
            let o = Organisation()
            o.version = 1
            o.legalName = d.name
            o.legalForm = d.form.rawValue
            o.rcsNumber = d.rcs
            o.street = d.street
            o.postcode = d.postcode
            o.locality = d.locality
            o.country = "LU"
            o.phone = "+352 000 000"
            o.bankHolder = d.name
            // The ABBL's published example IBAN: valid in form and checksum, belongs to no real demo account.
            o.iban = "LU280019400644750000"
            o.bic = "BCEELULL"
            o.contact1Name = owner.name
            o.contact1Function = "Démo"
            o.contact1Phone = "+352 000 000"
            o.contact1Email = owner.email
            o.paktSigned = d.pakt
            try await o.create(on: db)
            try await Membership(organisationID: o.storedID, userID: owner.storedID, role: MembershipRole.owner.rawValue, isSignatory: true).create(on: db)
        }
    }

    // MARK: Programmes

    struct ProgrammeSeed {
        let code, nameFr, nameEn, nameDe, fund, authority: String
        let intermediate, email: String
        let phone, visibility: String?
    }

    static let amifProgramme = ProgrammeSeed(
        code: "AMIF-2021-2027",
        nameFr: "Fonds « Asile, migration et intégration » (AMIF) 2021-2027",
        nameEn: "Asylum, Migration and Integration Fund (AMIF) 2021-2027",
        nameDe: "Asyl-, Migrations- und Integrationsfonds (AMIF) 2021-2027",
        fund: "AMIF – Règlement (UE) 2021/1147",
        authority: "Secrétariat général du ministère des Affaires étrangères et européennes",
        intermediate: "Département de l'intégration (objectif spécifique 2)",
        email: "amif@fm.etat.lu", phone: nil,
        visibility: "Un programme financé par l'Union européenne")

    static let communesProgramme = ProgrammeSeed(
        code: "COM-INTEGRATION",
        nameFr: "Subsides aux entités publiques du secteur communal pour l'intégration et l'accueil des étrangers",
        nameEn: "Subsidies to public entities of the communal sector for the integration and welcome of foreigners",
        nameDe: "Zuschüsse an öffentliche Einrichtungen des kommunalen Sektors für Integration und Aufnahme von Ausländern",
        fund: "Budget de l'État, article 12.2.43.000",
        authority: "Ministère de la Famille, de l'Intégration et à la Grande Région",
        intermediate: "Département de l'intégration",
        email: "communes@integration.etat.lu", phone: "247 – 85795 / 247 – 85732",
        visibility: "avec le soutien du Ministère de la Famille, de l'Intégration et à la Grande Région")

    private static func programme(_ s: ProgrammeSeed, on db: any Database) async throws -> Programme {
        if let p = try await Programme.query(on: db).filter(\.$code == s.code).first() { return p }
        let p = Programme()
        p.code = s.code
        p.nameFr = s.nameFr; p.nameEn = s.nameEn; p.nameDe = s.nameDe
        p.fund = s.fund
        p.managingAuthority = s.authority
        p.intermediateBody = s.intermediate
        p.contactEmail = s.email
        p.contactPhone = s.phone
        p.visibilityMention = s.visibility
        try await p.create(on: db)
        return p
    }

    // MARK: Calls

    struct CallSeed {
        var reference: String
        var title: Localized
        var summary: Localized
        var ruleSet: RuleSet
        var kind: CallKind
        var status: CallStatus
        var opensAt: Date
        var closesAt: Date
        var costStart: CalendarDate
        var costEnd: CalendarDate
        var leadTime: Int
        var forms: [LegalForm]
        var maxAmount: Money?
        var maxRate: Rate?
        var globalBudget: Money?
        var isDemo: Bool
    }

    @discardableResult
    private static func call(_ s: CallSeed, programme: Programme, on db: any Database) async throws -> Call? {
        if try await Call.query(on: db).filter(\.$reference == s.reference).count() > 0 { return nil }
        let c = Call()
        c.version = 1
        c.$programme.id = try programme.storedID
        c.reference = s.reference
        c.titleFr = s.title.fr; c.titleEn = s.title.en; c.titleDe = s.title.de
        c.summaryFr = s.summary.fr; c.summaryEn = s.summary.en; c.summaryDe = s.summary.de
        c.ruleSet = s.ruleSet.rawValue
        c.kind = s.kind.rawValue
        c.status = s.status.rawValue
        c.opensAt = s.opensAt
        c.closesAt = s.closesAt
        c.costStart = s.costStart.iso
        c.costEnd = s.costEnd.iso
        c.leadTimeDays = s.leadTime
        c.eligibleLegalForms = s.forms.map(\.rawValue).joined(separator: ",")
        c.seatCountry = "LU"
        c.maxAmountCents = s.maxAmount?.cents
        c.maxRateBP = s.maxRate?.basisPoints
        c.globalBudgetCents = s.globalBudget?.cents
        c.isDemo = s.isDemo
        // COM-26: 0.30 € per kilometre by private car (Annex 2 of seed 003).
        c.kmRateCents = s.ruleSet == .communes ? ExpenseLine.communesKilometreRate.cents : nil
        c.blindReview = false
        try await c.create(on: db)
        return c
    }

    /// AMIF-04: private non-profits, SIS, public establishments, professional chambers; ministries and
    /// public administrations, state and communal.
    static let amifForms: [LegalForm] = [.asbl, .fondation, .societeImpactSocietal, .etablissementPublic, .chambreProfessionnelle,
                                         .administrationEtat, .commune, .syndicatDeCommunes, .etablissementPublicCommunal]

    static func amifSeed(reference: String, opens: Date, closes: Date, costStart: CalendarDate, costEnd: CalendarDate,
                         status: CallStatus, isDemo: Bool) -> CallSeed {
        let demo = isDemo ? " [DÉMO]" : ""
        return CallSeed(
            reference: reference,
            title: Localized(fr: "Appel à projets AMIF 2024" + demo, en: "AMIF 2024 call for projects" + (isDemo ? " [DEMO]" : ""),
                             de: "AMIF-Projektaufruf 2024" + (isDemo ? " [DEMO]" : "")),
            summary: Localized(
                fr: "Appel à projets dans le cadre de la mise en œuvre du Fonds « Asile, migration et intégration » (AMIF), autour de deux objectifs spécifiques : le régime d'asile européen commun, et la migration légale et l'intégration.",
                en: "Call for projects implementing the Asylum, Migration and Integration Fund (AMIF), around two specific objectives: the Common European Asylum System, and legal migration and integration.",
                de: "Projektaufruf zur Umsetzung des Asyl-, Migrations- und Integrationsfonds (AMIF) mit zwei spezifischen Zielen: dem Gemeinsamen Europäischen Asylsystem sowie legaler Migration und Integration."),
            ruleSet: .amif, kind: .fixedDeadline, status: status, opensAt: opens, closesAt: closes, costStart: costStart,
            costEnd: costEnd, leadTime: 0, forms: amifForms, maxAmount: nil, maxRate: Rate(percent: 75),
            globalBudget: Money(euros: 3_000_000), isDemo: isDemo)
    }

    private static func amifParts(_ c: Call, sessions: [(Date, String)], on db: any Database) async throws {
        let objectives: [(String, Localized, [(String, Localized, Int64)])] = [
            ("OS1", Localized(fr: "Régime d'asile européen commun", en: "Common European Asylum System", de: "Gemeinsames Europäisches Asylsystem"), [
                ("A.2", Localized(
                    fr: "Identification et prise en charge par des services psycho-sociaux et de réhabilitation des personnes vulnérables et/ou à besoins spécifiques, dont entre autres les personnes victimes de la traite des êtres humains",
                    en: "Identification of, and psycho-social and rehabilitation services for, vulnerable persons and persons with specific needs, including victims of trafficking in human beings",
                    de: "Identifizierung und psychosoziale und rehabilitative Betreuung schutzbedürftiger Personen und Personen mit besonderen Bedürfnissen, darunter Opfer von Menschenhandel"), 600_000),
                ("A.3", Localized(
                    fr: "Sensibilisation de la société d'accueil et des parties prenantes sur l'accueil, l'asile, l'intégration, la migration légale et les politiques de retour avec une attention particulière sur les personnes vulnérables, y inclus les mineurs",
                    en: "Raising awareness of the host society and stakeholders about reception, asylum, integration, legal migration and return policies, with particular attention to vulnerable persons, including minors",
                    de: "Sensibilisierung der Aufnahmegesellschaft und der Beteiligten für Aufnahme, Asyl, Integration, legale Migration und Rückkehrpolitik, mit besonderem Augenmerk auf schutzbedürftige Personen, einschließlich Minderjähriger"), 900_000),
            ]),
            ("OS2", Localized(fr: "Migration légale et intégration", en: "Legal migration and integration", de: "Legale Migration und Integration"), [
                ("B.1", Localized(fr: "Promotion de mesures d'intégration et soutien sur mesure adapté aux besoins du public cible",
                                  en: "Promoting integration measures and tailored support adapted to the needs of the target public",
                                  de: "Förderung von Integrationsmaßnahmen und maßgeschneiderte Unterstützung nach den Bedürfnissen der Zielgruppe"), 1_000_000),
                ("B.3", Localized(fr: "Réalisation d'études et de recherches", en: "Studies and research", de: "Studien und Forschung"), 200_000),
                ("B.4", Localized(fr: "Renforcement des capacités", en: "Capacity building", de: "Kapazitätsaufbau"), 300_000),
            ]),
        ]
        var position = 0
        for (i, (code, title, actions)) in objectives.enumerated() {
            let o = CallObjective()
            o.$call.id = try c.storedID
            o.code = code
            o.titleFr = title.fr; o.titleEn = title.en; o.titleDe = title.de
            o.position = i + 1
            try await o.create(on: db)
            for (aCode, aTitle, euros) in actions {
                position += 1
                let a = CallAction()
                a.$call.id = try c.storedID
                a.$objective.id = o.id
                a.code = aCode
                a.titleFr = aTitle.fr; a.titleEn = aTitle.en; a.titleDe = aTitle.de
                a.envelopeCents = Money(euros: euros).cents
                // AMIF-09: 75 % by default; the seed names no Annex IV action, so none is raised to 90 %.
                a.maxRateBP = 7_500
                a.position = position
                try await a.create(on: db)
            }
        }
        try await items(c, [
            (.document, "application_form", Localized(fr: "Fiche de candidature", en: "Application form", de: "Bewerbungsformular"), nil, true),
            (.document, "provisional_budget", Localized(fr: "Budget prévisionnel", en: "Provisional budget", de: "Vorläufiges Budget"), nil, true),
            (.document, "financing_plan", Localized(fr: "Plan de financement", en: "Financing plan", de: "Finanzierungsplan"), nil, true),
        ], on: db)
        for (start, place) in sessions {
            let s = InformationSession()
            s.$call.id = try c.storedID
            s.startsAt = start
            s.durationMinutes = 120
            s.place = place
            // The seed gives no capacity; 50 seats is this demo's setting, editable by officers.
            s.capacity = 50
            try await s.create(on: db)
        }
    }

    private static func items(_ c: Call, _ list: [(CallItem.Kind, String, Localized, Int64?, Bool)], on db: any Database) async throws {
        for (i, (kind, code, label, euros, required)) in list.enumerated() {
            let item = CallItem()
            item.$call.id = try c.storedID
            item.kind = kind.rawValue
            item.code = code
            item.labelFr = label.fr; item.labelEn = label.en; item.labelDe = label.de
            item.amountCents = euros.map { Money(euros: $0).cents }
            item.required = required
            item.position = i + 1
            try await item.create(on: db)
        }
    }

    static let sessionPlace = "En présentiel – lieu communiqué aux personnes inscrites"

    private static func amifCall(programme: Programme, on db: any Database) async throws {
        // AMIF-01: open from 9 May 2024 to 20 September 2024 (the deadline's last second, Luxembourg time).
        let seed = amifSeed(reference: "AMIF-2024",
                            opens: LuxembourgTime.instant(CalendarDate(year: 2024, month: 5, day: 9)),
                            closes: LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 9, day: 20)),
                            costStart: CalendarDate(year: 2025, month: 2, day: 1), costEnd: CalendarDate(year: 2029, month: 1, day: 31),
                            status: .closed, isDemo: false)
        guard let c = try await call(seed, programme: programme, on: db) else { return }
        // AMIF-05: 12 June at 14:00 and 9 July at 10:00.
        try await amifParts(c, sessions: [
            (LuxembourgTime.instant(CalendarDate(year: 2024, month: 6, day: 12), hour: 14), sessionPlace),
            (LuxembourgTime.instant(CalendarDate(year: 2024, month: 7, day: 9), hour: 10), sessionPlace),
        ], on: db)
    }

    static func communesSeed(year: Int, reference: String, opens: Date, closes: Date, status: CallStatus, isDemo: Bool) -> CallSeed {
        let fr = isDemo ? " [DÉMO]" : "", other = isDemo ? " [DEMO]" : ""
        return CallSeed(
            reference: reference,
            title: Localized(fr: "Subsides aux communes pour des projets d'intégration \(year)" + fr,
                             en: "Subsidies to communes for integration projects \(year)" + other,
                             de: "Zuschüsse an Gemeinden für Integrationsprojekte \(year)" + other),
            summary: Localized(
                fr: "Participation financière aux communes, syndicats de communes et établissements publics placés sous la surveillance des communes qui initient des projets en faveur de l'intégration des étrangers et du vivre-ensemble interculturel.",
                en: "Financial support for communes, syndicates of communes and public establishments under the supervision of communes that start projects for the integration of foreigners and intercultural living together.",
                de: "Finanzielle Beteiligung für Gemeinden, Gemeindesyndikate und öffentliche Einrichtungen unter Gemeindeaufsicht, die Projekte zur Integration von Ausländern und zum interkulturellen Zusammenleben anstoßen."),
            ruleSet: .communes, kind: .rolling, status: status, opensAt: opens, closesAt: closes,
            costStart: CalendarDate(year: year, month: 1, day: 1), costEnd: CalendarDate(year: year, month: 12, day: 31),
            leadTime: 21, forms: [.commune, .syndicatDeCommunes, .etablissementPublicCommunal],
            maxAmount: Money(euros: 100_000), maxRate: Rate(percent: 75), globalBudget: nil, isDemo: isDemo)
    }

    private static func communesParts(_ c: Call, on db: any Database) async throws {
        try await items(c, [
            // COM-08: intercultural festivals.
            (.cap, "festival", Localized(fr: "Fête interculturelle", en: "Intercultural festival", de: "Interkulturelles Fest"), 3_000, false),
            (.cap, "festival_active", Localized(
                fr: "Fête interculturelle avec promotion active du vivre-ensemble (contrat d'accueil et d'intégration, « je peux voter »)",
                en: "Intercultural festival actively promoting living together (welcome and integration contract, \"je peux voter\")",
                de: "Interkulturelles Fest mit aktiver Förderung des Zusammenlebens (Aufnahme- und Integrationsvertrag, „je peux voter“)"), 5_000, false),
            // COM-05: the priority themes of 2023.
            (.theme, "participation", Localized(
                fr: "La participation politique et citoyenne, dont notamment la promotion de la campagne « je peux voter »",
                en: "Political and civic participation, including the promotion of the \"je peux voter\" campaign",
                de: "Politische und bürgerschaftliche Teilhabe, insbesondere die Förderung der Kampagne „je peux voter“"), nil, false),
            (.theme, "welcome", Localized(
                fr: "L'accueil et l'accès à l'information, dont des projets pour nouveaux arrivants",
                en: "Welcome and access to information, including projects for newcomers",
                de: "Aufnahme und Zugang zu Informationen, einschließlich Projekte für Neuankömmlinge"), nil, false),
            (.theme, "translation", Localized(
                fr: "Les moyens et outils de traduction et d'interprétariat, tels que des licences pour logiciels de traduction",
                en: "Translation and interpreting means and tools, such as licences for translation software",
                de: "Übersetzungs- und Dolmetschmittel und -werkzeuge, etwa Lizenzen für Übersetzungssoftware"), nil, false),
            // COM-14: the checklist of Annex 1.
            (.document, "signed_form", Localized(fr: "Formulaire dûment rempli et signé", en: "Application form duly completed and signed",
                                                 de: "Vollständig ausgefülltes und unterschriebenes Formular"), nil, true),
            (.document, "rib", Localized(fr: "Relevé d'identité bancaire (RIB)", en: "Bank identity statement (RIB)",
                                         de: "Bankverbindungsnachweis (RIB)"), nil, true),
            (.document, "activity_programme", Localized(
                fr: "Programme des activités d'intégration prévues pour l'année en cours",
                en: "Programme of integration activities planned for the current year",
                de: "Programm der für das laufende Jahr geplanten Integrationsaktivitäten"), nil, false),
            (.document, "other", Localized(fr: "Toute autre pièce utile à l'appui de la demande", en: "Any other document supporting the application",
                                           de: "Jedes weitere Dokument zur Unterstützung des Antrags"), nil, false),
        ], on: db)
    }

    private static func communesCall(programme: Programme, on db: any Database) async throws {
        // COM-12: applications all through 2023, for projects carried out between 1 January and 31 December 2023.
        let seed = communesSeed(year: 2023, reference: "COM-2023",
                                opens: LuxembourgTime.instant(CalendarDate(year: 2023, month: 1, day: 1)),
                                closes: LuxembourgTime.endOfDay(CalendarDate(year: 2023, month: 12, day: 31)),
                                status: .closed, isDemo: false)
        guard let c = try await call(seed, programme: programme, on: db) else { return }
        try await communesParts(c, on: db)
    }

    /// Copies of both calls with dates around today, marked [DÉMO] / [DEMO] and flagged is_demo.
    private static func demoCopies(now: Date, amif: Programme, communes: Programme, on db: any Database) async throws {
        let today = LuxembourgTime.calendarDate(of: now)
        let amifSeed = amifSeed(
            reference: "AMIF-DEMO-\(today.year)",
            opens: LuxembourgTime.instant(today.adding(days: -14)), closes: LuxembourgTime.endOfDay(today.adding(days: 60)),
            costStart: today.adding(days: 90), costEnd: today.adding(days: 90 + 4 * 365), status: .published, isDemo: true)
        if let c = try await call(amifSeed, programme: amif, on: db) {
            try await amifParts(c, sessions: [
                (LuxembourgTime.instant(today.adding(days: 10), hour: 14), sessionPlace),
                (LuxembourgTime.instant(today.adding(days: 30), hour: 10), sessionPlace),
            ], on: db)
        }
        // A rolling call covers one calendar year; late in the year the demo uses the next one so that a
        // project can still start 21 days after submission (COM-13).
        let year = today.days(until: CalendarDate(year: today.year, month: 12, day: 31)) < 60 ? today.year + 1 : today.year
        let comSeed = communesSeed(
            year: year, reference: "COM-DEMO-\(year)", opens: LuxembourgTime.instant(today.adding(days: -7)),
            closes: LuxembourgTime.endOfDay(CalendarDate(year: year, month: 12, day: 31)), status: .published, isDemo: true)
        if let c = try await call(comSeed, programme: communes, on: db) { try await communesParts(c, on: db) }
    }

    // MARK: Register (seed 001)

    private static func register(on db: any Database) async throws {
        guard try await RegisterProject.query(on: db).count() == 0 else { return }
        let projects: [(String?, String?, String, String, String)] = [
            ("Luxembourg Association for Intercultural Dialogue (ALDIC)",
             "Association Luxembourgeoise pour le Dialogue interculturel (ALDIC)",
             "Building together a strong and inclusive society",
             "social workers, civil society activists/volunteers, members of local associations, members of youth associations, members of municipal consultative commissions for integration and other local actors. Indirectly, the project will also reach youth, immigrants and refugees.",
             "The main objective of the project is to strengthen the capacity of members of the local community to identify, report and deal with cases of racism and discrimination."),
            (nil, nil, "Sustainable Stereotypes of Luxembourg",
             "general public (residents of Luxembourg) and third-country nationals exposed to the risk of discrimination.",
             "The project aims to raise the awareness of the general public, and in particular, third-country nationals at risk of discrimination, by inviting them to talk about situations in which they have been victims or witnesses of discriminatory acts (gestures or words), via a large-scale prevention and awareness-raising campaign."),
            ("Luxembourg multi-LEARN Institute", nil, "Ethno-racial stereotypes and stereotyping in the Health sector in Luxembourg",
             "health care personnel, students training in the health care professions and third-country nationals.",
             "The overall objective of the project is to combat racial discrimination in the health care sector in Luxembourg."),
            ("International Organization for Migration (IOM)", nil, "Training \"Interculturality and Empathy\"",
             "members of Municipal advisory committee on integration (Commission consultative communale d'Intégration - CCCI), volunteers from local, cultural and sports associations, and signatories of the Welcome and Integration Contract (Contrat d'Accueil et d'Intégration - CAI).",
             "The project aims, through the development, delivery and evaluation of a training cycle, to strengthen the intercultural knowledge and skills of local actors in order to promote smooth communication and harmonious exchanges between migrants and host communities in Luxembourg."),
            ("Aid and Development Programmes for the Children of the World (PADEM)",
             "Programmes d'Aide et de Développement destinés aux Enfants du Monde (PADEM)",
             "Generate important changes in the issue of racism in Luxembourg and improve the conditions for the integration of third- country nationals",
             "Facilitators of informal education organisations and the general public",
             "The project aims to raise awareness of critical anti-racism issues and encourage the reporting of racist acts, particularly in the priority areas of education, employment and housing."),
        ]
        for (leader, original, title, audience, objective) in projects {
            let p = RegisterProject()
            p.fund = "AMIF"
            p.specificObjective = "OS2 – Integration and legal migration"
            p.callLabel = "Call for proposals 2022"
            p.leaderName = leader
            p.leaderOriginalName = original
            p.title = title
            p.startDate = "2023-01-01"
            p.endDate = "2024-12-31"
            p.targetAudience = audience
            p.objective = objective
            p.country = "LU"
            try await p.create(on: db)
        }
    }
}
