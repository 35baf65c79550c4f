import Foundation

/// A call's scoring grid (COM-09): criteria made of sub-questions, each scored on the same scale, with a
/// weight in points; and bonus points for priorities that are not conditions of eligibility (COM-04–06).
/// The grid is data attached to the call; `ScoringGrid.communes` is seed 003's section 2c.
public struct ScoringGrid: Sendable, Equatable, Codable {
    public struct SubQuestion: Sendable, Equatable, Codable {
        public let code: String
        public let label: Localized
        public init(code: String, label: Localized) { self.code = code; self.label = label }
    }

    public struct Criterion: Sendable, Equatable, Codable {
        public let code: String
        public let label: Localized
        /// The points the criterion is worth when every sub-question gets the top of the scale.
        public let weight: Int
        public let questions: [SubQuestion]
        public init(code: String, label: Localized, weight: Int, questions: [SubQuestion]) {
            self.code = code; self.label = label; self.weight = weight; self.questions = questions
        }
    }

    public struct Bonus: Sendable, Equatable, Codable {
        public let code: String
        public let label: Localized
        public let points: Int
        /// The rule that makes it a priority (COM-04, COM-05, COM-06).
        public let ruleID: String
        public init(code: String, label: Localized, points: Int, ruleID: String) {
            self.code = code; self.label = label; self.points = points; self.ruleID = ruleID
        }
    }

    /// Every sub-question is scored from 0 to `scaleMax`.
    public let scaleMax: Int
    public let criteria: [Criterion]
    public let bonuses: [Bonus]

    public init(scaleMax: Int, criteria: [Criterion], bonuses: [Bonus]) {
        self.scaleMax = scaleMax; self.criteria = criteria; self.bonuses = bonuses
    }

    public var questionCodes: [String] { criteria.flatMap { $0.questions.map(\.code) } }
    /// The best possible total, bonuses included, in points.
    public var maxTotal: Int { criteria.reduce(0) { $0 + $1.weight } + bonuses.reduce(0) { $0 + $1.points } }

    /// The same criteria, sub-questions and bonuses with the numbers an officer set for a call (COM-09: the seed
    /// gives no scale, weights or bonus points); codes not named keep their value.
    public func with(scaleMax: Int, weights: [String: Int], points: [String: Int]) -> ScoringGrid {
        ScoringGrid(scaleMax: scaleMax,
                    criteria: criteria.map { Criterion(code: $0.code, label: $0.label, weight: weights[$0.code] ?? $0.weight, questions: $0.questions) },
                    bonuses: bonuses.map { Bonus(code: $0.code, label: $0.label, points: points[$0.code] ?? $0.points, ruleID: $0.ruleID) })
    }

    /// A grid an officer can use: a positive scale, criteria with sub-questions and positive weights, unique codes.
    public func problems() -> [String] {
        var out: [String] = []
        if scaleMax < 1 || scaleMax > 100 { out.append("scale") }
        if criteria.isEmpty { out.append("criteria") }
        for c in criteria where c.weight < 1 || c.questions.isEmpty { out.append(c.code) }
        for b in bonuses where b.points < 1 { out.append(b.code) }
        let codes = criteria.map(\.code) + questionCodes + bonuses.map(\.code)
        if Set(codes).count != codes.count { out.append("duplicate") }
        return out
    }
}

/// A total in hundredths of a point, so that means and weights stay exact integers.
public struct Points: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var hundredths: Int
    public init(hundredths: Int) { self.hundredths = hundredths }
    public init(points: Int) { self.hundredths = points * 100 }
    public static func < (a: Points, b: Points) -> Bool { a.hundredths < b.hundredths }
    public static func + (a: Points, b: Points) -> Points { Points(hundredths: a.hundredths + b.hundredths) }
    public static let zero = Points(hundredths: 0)
    /// "72.50" (the pages format it per language).
    public var description: String {
        let sign = hundredths < 0 ? "-" : ""
        let v = abs(hundredths)
        return sign + String(v / 100) + "." + String(format: "%02d", v % 100)
    }
}

/// One evaluator's scores for one application.
public struct Scorecard: Sendable, Equatable, Codable {
    public enum Problem: Error, Sendable, Equatable {
        case unknownQuestion(String)
        case outOfScale(String, max: Int)
        case unknownBonus(String)
    }

    /// Sub-question code → score on the grid's scale.
    public var scores: [String: Int]
    /// The bonuses the evaluator grants.
    public var bonuses: Set<String>

    public init(scores: [String: Int] = [:], bonuses: Set<String> = []) {
        self.scores = scores; self.bonuses = bonuses
    }

    /// Scores outside the scale (a negative score, or above the top) and unknown codes are refused.
    public func problems(in grid: ScoringGrid) -> [Problem] {
        let known = Set(grid.questionCodes)
        var out: [Problem] = []
        for (code, score) in scores.sorted(by: { $0.key < $1.key }) {
            if !known.contains(code) { out.append(.unknownQuestion(code)) }
            else if score < 0 || score > grid.scaleMax { out.append(.outOfScale(code, max: grid.scaleMax)) }
        }
        let bonusCodes = Set(grid.bonuses.map(\.code))
        for b in bonuses.sorted() where !bonusCodes.contains(b) { out.append(.unknownBonus(b)) }
        return out
    }

    /// Every sub-question has a score: the evaluator may then hand the scorecard in.
    public func isComplete(in grid: ScoringGrid) -> Bool {
        grid.questionCodes.allSatisfy { scores[$0] != nil }
    }

    /// A criterion's points: its weight times the share of the scale reached over its sub-questions
    /// (unscored ones count 0 while the evaluator is still scoring), rounded half up to the hundredth.
    public func points(of criterion: ScoringGrid.Criterion, scaleMax: Int) -> Points {
        let n = criterion.questions.count
        guard n > 0, scaleMax > 0 else { return .zero }
        let sum = criterion.questions.reduce(0) { $0 + max(0, min(scaleMax, scores[$1.code] ?? 0)) }
        let denominator = n * scaleMax
        return Points(hundredths: (criterion.weight * 100 * sum * 2 + denominator) / (2 * denominator))
    }

    /// The total as the evaluator scores: criteria, then the bonuses granted.
    public func total(in grid: ScoringGrid) -> Points {
        let criteria = grid.criteria.reduce(Points.zero) { $0 + points(of: $1, scaleMax: grid.scaleMax) }
        let bonus = grid.bonuses.filter { bonuses.contains($0.code) }.reduce(0) { $0 + $1.points }
        return criteria + Points(points: bonus)
    }
}

/// What the officer (the rapporteur) sees of several evaluators' totals: each, the mean and the spread.
public struct ScoreSummary: Sendable, Equatable {
    public let totals: [Points]

    public init(totals: [Points]) { self.totals = totals }

    /// The mean, rounded half up to the hundredth; nil before any scorecard is handed in.
    public var mean: Points? {
        guard !totals.isEmpty else { return nil }
        let sum = totals.reduce(0) { $0 + $1.hundredths }
        return Points(hundredths: (sum * 2 + totals.count) / (2 * totals.count))
    }

    /// Highest minus lowest: a wide spread tells the officer the evaluators disagree.
    public var spread: Points? {
        guard let lo = totals.min(), let hi = totals.max() else { return nil }
        return Points(hundredths: hi.hundredths - lo.hundredths)
    }
}

/// The ranking of an action's applications (COM-09 scores, AMIF-02 envelope): best score first, then the
/// earlier submission; each line carries the running total of requested amounts and whether it still fits.
public enum Ranking {
    public struct Entry<ID: Hashable & Sendable>: Sendable {
        public let id: ID
        public let score: Points
        public let requested: Money
        public let submittedAt: Date
        public init(id: ID, score: Points, requested: Money, submittedAt: Date) {
            self.id = id; self.score = score; self.requested = requested; self.submittedAt = submittedAt
        }
    }

    public struct Line<ID: Hashable & Sendable>: Sendable {
        public let position: Int
        public let entry: Entry<ID>
        public let runningTotal: Money
        public let fitsEnvelope: Bool
    }

    public static func rank<ID>(_ entries: [Entry<ID>], envelope: Money?) -> [Line<ID>] {
        let sorted = entries.sorted {
            $0.score != $1.score ? $0.score > $1.score : $0.submittedAt < $1.submittedAt
        }
        var running = Money.zero
        return sorted.enumerated().map { i, e in
            running = running + e.requested
            return Line(position: i + 1, entry: e, runningTotal: running, fitsEnvelope: envelope.map { running <= $0 } ?? true)
        }
    }
}

extension ScoringGrid {
    /// Seed 003, section 2c (COM-09): relevance; feasibility and partnership; evaluation; cost-effectiveness,
    /// with their sub-questions, and the priorities of section 2a as bonuses (COM-04 lasting, several communal
    /// actors, transversal; COM-05 a priority theme of the year; COM-06 a signed Pakt vum Zesummeliewen).
    /// The seed gives no scale, weights or bonus points: 0–4 per sub-question, 25 points per criterion and
    /// 5 points per priority are this platform's defaults, which officers change per call.
    public static let communes = ScoringGrid(
        scaleMax: 4,
        criteria: [
            Criterion(code: "relevance", label: Localized(fr: "Pertinence du projet", en: "Relevance of the project", de: "Relevanz des Projekts"),
                      weight: 25, questions: [
                SubQuestion(code: "relevance_needs", label: Localized(
                    fr: "Pertinent au regard des besoins du pays et de la ou des communes (état des lieux, public cible, diversité socioculturelle et linguistique, projet interculturel)",
                    en: "Relevant to the needs of the country and of the commune(s) (needs assessment, target public, socio-cultural and linguistic diversity, intercultural project)",
                    de: "Relevant für die Bedürfnisse des Landes und der Gemeinde(n) (Bestandsaufnahme, Zielgruppe, soziokulturelle und sprachliche Vielfalt, interkulturelles Projekt)")),
                SubQuestion(code: "relevance_integration", label: Localized(
                    fr: "Favorise l'intégration des étrangers au Luxembourg et le vivre-ensemble interculturel",
                    en: "Furthers the integration of foreigners in Luxembourg and intercultural living together",
                    de: "Fördert die Integration von Ausländern in Luxemburg und das interkulturelle Zusammenleben")),
                SubQuestion(code: "relevance_objectives", label: Localized(
                    fr: "Précise les objectifs du projet et les résultats escomptés",
                    en: "States the project's objectives and expected results",
                    de: "Nennt die Ziele des Projekts und die erwarteten Ergebnisse")),
                SubQuestion(code: "relevance_complementarity", label: Localized(
                    fr: "Complémentaire aux autres projets financés (PAN, conventions, etc.)",
                    en: "Complements other funded projects (PAN, agreements, etc.)",
                    de: "Ergänzt andere geförderte Projekte (PAN, Konventionen usw.)")),
            ]),
            Criterion(code: "feasibility", label: Localized(fr: "Faisabilité du projet et partenariat", en: "Feasibility and partnership",
                                                            de: "Machbarkeit und Partnerschaft"), weight: 25, questions: [
                SubQuestion(code: "feasibility_realistic", label: Localized(
                    fr: "Le projet est-il réaliste ?", en: "Is the project realistic?", de: "Ist das Projekt realistisch?")),
                SubQuestion(code: "feasibility_steps", label: Localized(
                    fr: "Le projet décrit-il les différentes étapes de sa mise en œuvre ?",
                    en: "Does the project describe the steps of its implementation?",
                    de: "Beschreibt das Projekt die Schritte seiner Umsetzung?")),
                SubQuestion(code: "feasibility_partners", label: Localized(
                    fr: "Énumère-t-il les partenaires locaux (p.ex. CCCI), nationaux ou associatifs et décrit-il leur rôle ?",
                    en: "Does it list the local (e.g. CCCI), national or associative partners and describe their role?",
                    de: "Nennt es die lokalen (z. B. CCCI), nationalen oder Vereinspartner und beschreibt es ihre Rolle?")),
            ]),
            Criterion(code: "evaluation", label: Localized(fr: "Évaluation", en: "Evaluation", de: "Evaluierung"), weight: 25, questions: [
                SubQuestion(code: "evaluation_people", label: Localized(
                    fr: "Le nombre de personnes visées", en: "The number of people reached", de: "Die Zahl der erreichten Personen")),
                SubQuestion(code: "evaluation_public", label: Localized(
                    fr: "Le public cible, notamment les interactions entre Luxembourgeois et non-Luxembourgeois",
                    en: "The target public, in particular interaction between Luxembourgers and non-Luxembourgers",
                    de: "Die Zielgruppe, insbesondere Begegnungen zwischen Luxemburgern und Nicht-Luxemburgern")),
                SubQuestion(code: "evaluation_communication", label: Localized(
                    fr: "Les moyens de communication prévus", en: "The planned means of communication", de: "Die geplanten Kommunikationsmittel")),
                SubQuestion(code: "evaluation_monitoring", label: Localized(
                    fr: "Un système de suivi réaliste", en: "A realistic monitoring system", de: "Ein realistisches Begleitsystem")),
                SubQuestion(code: "evaluation_impact", label: Localized(
                    fr: "Une évaluation de l'impact et de la satisfaction du public cible",
                    en: "An assessment of impact and of the target public's satisfaction",
                    de: "Eine Bewertung der Wirkung und der Zufriedenheit der Zielgruppe")),
                SubQuestion(code: "evaluation_indicators", label: Localized(
                    fr: "Des indicateurs de réussite", en: "Indicators of success", de: "Erfolgsindikatoren")),
            ]),
            Criterion(code: "cost_effectiveness", label: Localized(fr: "Rapport coût/efficacité", en: "Cost-effectiveness",
                                                                   de: "Kosten-Nutzen-Verhältnis"), weight: 25, questions: [
                SubQuestion(code: "cost_management", label: Localized(
                    fr: "Bonne gestion financière, compte tenu du nombre de personnes concernées",
                    en: "Sound financial management, given the number of people concerned",
                    de: "Wirtschaftliche Haushaltsführung im Verhältnis zur Zahl der betroffenen Personen")),
            ]),
        ],
        bonuses: [
            Bonus(code: "lasting", label: Localized(fr: "Projet qui s'inscrit dans la durée", en: "Lasting project", de: "Auf Dauer angelegtes Projekt"),
                  points: 5, ruleID: "COM-04"),
            Bonus(code: "several_actors", label: Localized(fr: "Implique plusieurs acteurs actifs sur le plan communal",
                                                          en: "Involves several actors of communal life", de: "Bezieht mehrere kommunale Akteure ein"),
                  points: 5, ruleID: "COM-04"),
            Bonus(code: "transversal", label: Localized(fr: "Approche transversale (plusieurs domaines de la vie de la commune)",
                                                       en: "Transversal approach (several areas of communal life)",
                                                       de: "Querschnittsansatz (mehrere Bereiche des Gemeindelebens)"),
                  points: 5, ruleID: "COM-04"),
            Bonus(code: "priority_theme", label: Localized(fr: "Favorise au moins un thème prioritaire de l'année",
                                                          en: "Furthers at least one priority theme of the year",
                                                          de: "Fördert mindestens ein Schwerpunktthema des Jahres"),
                  points: 5, ruleID: "COM-05"),
            Bonus(code: "pakt", label: Localized(fr: "La commune a signé un Pakt vum Zesummeliewen",
                                                en: "The commune signed a Pakt vum Zesummeliewen",
                                                de: "Die Gemeinde hat einen Pakt vum Zesummeliewen unterzeichnet"),
                  points: 5, ruleID: "COM-06"),
        ])

    /// Seed 000 names no selection criteria for the AMIF call: the demo uses the four criteria of COM-09
    /// without the communes' bonuses, which officers replace per call.
    public static let amifDefault = ScoringGrid(scaleMax: communes.scaleMax, criteria: communes.criteria, bonuses: [])
}
