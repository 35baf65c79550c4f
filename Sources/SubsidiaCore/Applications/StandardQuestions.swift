import Foundation

/// The questions a new call starts with: Annex 1 of seed 003 for the communes subsidy (COM-22), and the
/// application form of the AMIF call (AMIF-06). They are copied onto the call as data, where officers
/// can change them; nothing reads this list once a call has its own.
public enum StandardQuestions {
    public static func questions(for ruleSet: RuleSet) -> [Question] {
        switch ruleSet {
        case .communes: communes
        case .amif: amif
        }
    }

    static func L(_ fr: String, _ en: String, _ de: String) -> Localized { Localized(fr: fr, en: en, de: de) }

    static let title = Question("title", .project, .text, label: L("Titre du projet", "Project title", "Projekttitel"), maxLength: 200)
    static let places = Question("places", .project, .text,
        label: L("Lieu(x) / localité(s) de réalisation", "Place(s) / locality(ies) where the project takes place", "Ort(e) der Durchführung"),
        maxLength: 500)
    static let targetPublics = Question("target_publics", .project, .textarea,
        label: L("Public(s) cible(s)", "Target public(s)", "Zielgruppe(n)"), maxLength: 1_000)
    static let peopleReached = Question("people_reached", .evaluation, .integer,
        label: L("Combien de personnes le projet cherche-t-il à atteindre ?", "How many people does the project aim to reach?",
                 "Wie viele Menschen möchte das Projekt erreichen?"), minValue: 1, maxValue: 10_000_000)
    static let monitoring = Question("monitoring", .evaluation, .textarea,
        label: L("Quel sera le système de suivi adopté ? De quelle manière sera évalué l'impact et la satisfaction du/des public(s) cible(s) ?",
                 "What monitoring will be used? How will the impact and the satisfaction of the target public(s) be assessed?",
                 "Welches Monitoring wird eingesetzt? Wie werden Wirkung und Zufriedenheit der Zielgruppe(n) bewertet?"))
    static let indicators = Question("indicators", .evaluation, .textarea,
        label: L("Quels indicateurs sont/seront mis en place pour évaluer le projet ?", "Which indicators will be used to evaluate the project?",
                 "Welche Indikatoren werden zur Bewertung des Projekts eingesetzt?"))
    static let steps = Question("steps", .feasibility, .textarea,
        label: L("Description détaillée des étapes de la mise en œuvre du projet (et calendrier de mise en œuvre)",
                 "Detailed description of the implementation steps (and timetable)",
                 "Ausführliche Beschreibung der Umsetzungsschritte (und Zeitplan)"))
    static let partnerRoles = Question("partner_roles", .feasibility, .textarea, required: false,
        label: L("Noms et rôles des partenaires (personnes ou organisations) dans l'organisation du projet",
                 "Names and roles of the partners (people or organisations) in organising the project",
                 "Namen und Rollen der Partner (Personen oder Organisationen) bei der Organisation des Projekts"))
    static let objectives = Question("objectives", .relevance, .textarea,
        label: L("Objectifs du projet et résultats escomptés", "Objectives of the project and expected results", "Ziele des Projekts und erwartete Ergebnisse"))
    static let needs = Question("needs", .relevance, .textarea,
        label: L("Quels sont les besoins locaux ou nationaux à la base du projet ?", "Which local or national needs is the project based on?",
                 "Auf welchen lokalen oder nationalen Bedarf stützt sich das Projekt?"))

    /// Annex 1, "Description du projet" to "Informations complémentaires", and the two questions after the budget.
    public static let communes: [Question] = [
        title,
        Question("start_date", .project, .date, label: L("Date du projet, ou début de la période de réalisation", "Date of the project, or start of the period",
                                                          "Datum des Projekts oder Beginn des Zeitraums"),
                 hint: L("Au plus tôt 21 jours après l'envoi de la demande.", "At least 21 days after you submit the application.",
                         "Frühestens 21 Tage nach Einreichung des Antrags.")),
        Question("end_date", .project, .date, required: false, label: L("Fin de la période de réalisation", "End of the period", "Ende des Zeitraums"),
                 hint: L("Laissez vide pour un projet d'un seul jour.", "Leave empty for a one-day project.", "Für ein eintägiges Projekt leer lassen.")),
        targetPublics,
        Question("partners", .project, .textarea, required: false, label: L("Partenaire(s)", "Partner(s)", "Partner"), maxLength: 1_000),
        Question("ccci_role", .project, .textarea, required: false,
                 label: L("Rôle de la commission consultative communale d'intégration (CCCI)",
                          "Role of the communal consultative integration committee (CCCI)",
                          "Rolle der kommunalen beratenden Integrationskommission (CCCI)"), maxLength: 1_000),
        places,
        Question("in_luxembourg", .project, .yesNo, label: L("Le projet est-il réalisé sur le territoire luxembourgeois ?",
                                                             "Does the project take place in Luxembourg?", "Findet das Projekt in Luxemburg statt?")),
        Question("pakt", .project, .yesNo, label: L("S'agit-il d'un projet réalisé dans le cadre du « Pakt vum Zesummeliewen » ?",
                                                    "Is the project carried out under the \"Pakt vum Zesummeliewen\"?",
                                                    "Wird das Projekt im Rahmen des „Pakt vum Zesummeliewen“ durchgeführt?")),
        Question("new_project", .project, .yesNo, label: L("S'agit-il d'un nouveau projet ?", "Is it a new project?", "Handelt es sich um ein neues Projekt?")),
        Question("new_edition", .project, .yesNo, label: L("S'agit-il d'une nouvelle édition d'un projet existant ?",
                                                           "Is it a new edition of an existing project?",
                                                           "Handelt es sich um eine neue Ausgabe eines bestehenden Projekts?")),
        Question("edition_number", .project, .integer, required: false, label: L("Édition n°", "Edition number", "Ausgabe Nr."),
                 minValue: 1, maxValue: 500, requiredIfYes: "new_edition"),
        Question("edition_since", .project, .integer, required: false, label: L("Depuis l'année", "Since the year", "Seit dem Jahr"),
                 minValue: 1900, maxValue: 2200, requiredIfYes: "new_edition"),
        Question("festival", .project, .capCategory,
                 label: L("S'agit-il d'une fête interculturelle ?", "Is it an intercultural festival?", "Handelt es sich um ein interkulturelles Fest?"),
                 hint: L("Fêtes de l'amitié, des cultures, des nations, de voisinage… Le plafond du subside en dépend (COM-08).",
                         "Festivals of friendship, cultures, nations, neighbours… The subsidy cap depends on it (COM-08).",
                         "Feste der Freundschaft, der Kulturen, der Nationen, Nachbarschaftsfeste… Davon hängt die Obergrenze ab (COM-08).")),
        Question("description", .project, .textarea, label: L("Description du projet", "Description of the project", "Beschreibung des Projekts"),
                 hint: L("15 lignes au maximum.", "15 lines at most.", "Höchstens 15 Zeilen."), maxLength: 2_000, maxLines: 15),
        needs,
        Question("integration", .relevance, .textarea,
                 label: L("De quelle manière le projet favorise-t-il l'intégration et le vivre-ensemble dans la commune / au Luxembourg ?",
                          "How does the project foster integration and living together in the commune / in Luxembourg?",
                          "Wie fördert das Projekt Integration und Zusammenleben in der Gemeinde / in Luxemburg?")),
        objectives,
        Question("complementarity", .relevance, .textarea,
                 label: L("À quel niveau le projet est-il complémentaire à d'autres actions financées dans le cadre de programmes nationaux (PAN, conventions, …) ou communaux (Pakt vum Zesummeliewen, …) ?",
                          "How does the project complement other actions funded under national (PAN, agreements…) or communal programmes (Pakt vum Zesummeliewen…)?",
                          "Inwiefern ergänzt das Projekt andere Maßnahmen nationaler (PAN, Konventionen…) oder kommunaler Programme (Pakt vum Zesummeliewen…)?")),
        Question("themes", .relevance, .themes, required: false,
                 label: L("Le projet favorise-t-il au moins un des thèmes prioritaires ?", "Does the project foster at least one of the priority themes?",
                          "Fördert das Projekt mindestens eines der vorrangigen Themen?"),
                 hint: L("Cochez les thèmes concernés (COM-05).", "Tick the themes concerned (COM-05).", "Kreuzen Sie die betreffenden Themen an (COM-05).")),
        Question("themes_how", .relevance, .textarea, required: false,
                 label: L("Dans l'affirmative, comment le thème s'inscrit-il dans le projet ?", "If so, how does the theme fit into the project?",
                          "Wenn ja, wie fügt sich das Thema in das Projekt ein?")),
        steps,
        partnerRoles,
        peopleReached,
        Question("mixed_public", .evaluation, .textarea,
                 label: L("De quelle manière le projet tient-il compte à la fois d'un public luxembourgeois et non-luxembourgeois ?",
                          "How does the project take into account both a Luxembourgish and a non-Luxembourgish public?",
                          "Wie berücksichtigt das Projekt sowohl ein luxemburgisches als auch ein nicht-luxemburgisches Publikum?")),
        Question("communication", .evaluation, .textarea,
                 label: L("Quels sont les moyens de communication mis en place ?", "Which means of communication will be used?",
                          "Welche Kommunikationsmittel werden eingesetzt?")),
        monitoring,
        indicators,
        Question("complementary_info", .evaluation, .textarea, required: false,
                 label: L("Informations complémentaires (innovation du projet, nécessité, etc.)", "Complementary information (innovation, necessity, etc.)",
                          "Ergänzende Informationen (Innovation, Notwendigkeit usw.)")),
        Question("other_ministry", .otherFunding, .yesNo,
                 label: L("Une demande de subside a-t-elle été introduite auprès d'un autre ministère ?",
                          "Has a subsidy been requested from another ministry?", "Wurde bei einem anderen Ministerium ein Zuschuss beantragt?")),
        Question("other_ministry_detail", .otherFunding, .textarea, required: false,
                 label: L("Si oui, lequel ou lesquels et quel(s) montant(s) ?", "If so, which ministry or ministries and which amount(s)?",
                          "Wenn ja, welche(s) Ministerium/Ministerien und welche(r) Betrag/Beträge?"),
                 maxLength: 1_000, requiredIfYes: "other_ministry"),
    ]

    /// The AMIF application form: objective and action, dates in the eligibility period (AMIF-03), the project.
    public static let amif: [Question] = [
        title,
        Question("action", .project, .action, label: L("Objectif spécifique et action", "Specific objective and action", "Spezifisches Ziel und Maßnahme")),
        Question("start_date", .project, .date, label: L("Début du projet", "Project start", "Projektbeginn"),
                 hint: L("Dans la période d'éligibilité de l'appel.", "Within the call's eligibility period.", "Innerhalb des Förderzeitraums des Aufrufs.")),
        Question("end_date", .project, .date, label: L("Fin du projet", "Project end", "Projektende")),
        targetPublics,
        places,
        Question("description", .project, .textarea, label: L("Description du projet", "Description of the project", "Beschreibung des Projekts"),
                 maxLength: 6_000),
        needs,
        objectives,
        steps,
        partnerRoles,
        Question("experience", .feasibility, .textarea,
                 label: L("Qualifications et expérience de l'organisation dans les domaines de l'AMIF", "The organisation's qualifications and experience in AMIF fields",
                          "Qualifikationen und Erfahrung der Organisation in den Bereichen des AMIF"),
                 hint: L("AMIF-04 : expérience adéquate.", "AMIF-04: relevant experience.", "AMIF-04: einschlägige Erfahrung.")),
        peopleReached,
        monitoring,
        indicators,
        Question("other_ministry", .otherFunding, .yesNo,
                 label: L("Le projet reçoit-il ou a-t-il demandé un autre financement public ?", "Does the project receive or request other public funding?",
                          "Erhält oder beantragt das Projekt andere öffentliche Mittel?")),
        Question("other_ministry_detail", .otherFunding, .textarea, required: false,
                 label: L("Si oui, auprès de qui et pour quel(s) montant(s) ?", "If so, from whom and for which amount(s)?", "Wenn ja, von wem und in welcher Höhe?"),
                 maxLength: 1_000, requiredIfYes: "other_ministry"),
    ]
}
