import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The evaluator's side (COM-09): the applications assigned to them; for each, first the declaration of
/// absence of a conflict of interest, then the application and the scoring grid. A declared conflict removes
/// the access and tells the officer to reassign. Evaluators never see other evaluators' scores.
enum EvaluationsController {
    static func evaluator(_ req: Request) throws -> User { try req.requireRole(.evaluator) }

    struct ListPage: Encodable, Sendable {
        struct Row: Encodable, Sendable { let href: String; let reference: String; let title: String; let applicant: String; let state: String }
        let rows: [Row]
        let paging: Paging.View
    }

    static func list(_ req: Request) async throws -> Response {
        let user = try evaluator(req)
        let paging = Paging(req)
        let query = req.store.query(EvaluationAssignment.self).filter(\.$evaluator.$id == (try user.storedID))
        let total = try await query.count()
        let rows = try await query.with(\.$application).sort(\.$assignedAt, .descending)
            .range(paging.offset..<(paging.offset + paging.size)).all()
        let blindCalls = Set(try await req.store.query(Call.self).filter(\.$blindReview == true).field(\.$id).all().compactMap(\.id))
        return try await req.render("evaluations/list", title: "evaluation.list_title", ListPage(
            rows: rows.map { x in
                ListPage.Row(href: "/evaluations/\(try x.storedID)", reference: x.application.reference ?? "–",
                             title: x.application.title.isEmpty ? req.t("app.untitled") : x.application.title, applicant: blindCalls.contains(x.application.$call.id) ? req.t("evaluation.blind") : x.application.legalName,
                             state: req.t("evaluation.state." + (x.handedInAt != nil ? "handed_in" : x.declaration)))
            }, paging: paging.view(total: total, req: req)))
    }

    /// The caller's own assignment; anyone else's is 404.
    static func assignment(_ req: Request) async throws -> (User, EvaluationAssignment) {
        let user = try evaluator(req)
        guard let id = req.parameters.get("assignmentID", as: UUID.self),
              let x = try await req.store.query(EvaluationAssignment.self).filter(\.$id == id).filter(\.$evaluator.$id == user.storedID)
                .with(\.$application).first() else { throw Abort(.notFound) }
        return (user, x)
    }

    struct ScorePage: Encodable, Sendable {
        let heading: String
        let caption: String
        let declarationForm: FormView?
        let conflict: Bool
        let groups: [ApplicationPages.ReviewPage.Group]
        let scoreForm: FormView?
        let total: String?
        /// The total's sentence before and after the figure, so that the page script can replace the figure alone.
        let totalBefore: String
        let totalAfter: String
        /// The grid as the page script needs it to add the total up while the evaluator scores (see `LiveGrid`).
        let liveGrid: String?
        let handedIn: Bool
        let documents: [Document]

        struct Document: Encodable, Sendable { let href: String; let label: String }
    }

    static func show(_ req: Request) async throws -> Response {
        let (_, x) = try await assignment(req)
        return try await render(req, x, values: nil, errors: FormErrors())
    }

    static func render(_ req: Request, _ x: EvaluationAssignment, values: FormValues?, errors: FormErrors) async throws -> Response {
        let a = x.application
        let base = "/evaluations/\(try x.storedID)"
        var declarationForm: FormView?
        var groups: [ApplicationPages.ReviewPage.Group] = []
        var scoreForm: FormView?
        var total: String?
        var documents: [ScorePage.Document] = []
        let call = try await call(of: a, on: req.store)
        let grid = call.scoringGrid
        switch x.state {
        case .pending:
            var f = FormBuilder(req, values: values ?? FormValues(), errors: errors)
            f.choice("declaration", "evaluation.declaration", type: "radios",
                     options: [("free", "evaluation.declare_free"), ("conflict", "evaluation.declare_conflict")], hint: "evaluation.declaration_hint")
            f.textarea("note", "evaluation.conflict_note", hint: "evaluation.conflict_note_hint", optional: true, maxLength: 2000, rows: 3)
            declarationForm = f.build(action: base + "/declare", submit: "evaluation.declare")
        case .conflict:
            break
        case .free:
            // The application itself only after the declaration of no conflict.
            let bundle = try await ApplicationBundle.load(a, on: req.store)
            groups = ApplicationSummary.groups(bundle, req: req, blind: call.blindReview).map { .init(heading: $0.heading, change: nil, answers: $0.answers) }
            // The documents too; under blind review without their file names, which often name the applicant.
            documents = bundle.documents.enumerated().map { i, d in
                let item = bundle.call.items(.document).first { $0.code == d.item_code }?.label.text(req.language) ?? req.t("evaluation.document_other")
                return ScorePage.Document(href: base + "/documents/\(d.id)",
                                          label: item + " – " + (call.blindReview ? req.t("evaluation.document_n", String(i + 1)) : d.filename))
            }
            let scores = try await req.store.query(EvaluationScore.self).filter(\.$assignment.$id == x.storedID).all()
            var v = FormValues()
            for s in scores { v[s.itemCode] = String(s.score) }
            v.fields["bonus"] = scores.filter { s in grid.bonuses.contains { $0.code == s.itemCode } }.map(\.itemCode)
            v["comment"] = x.comment ?? ""
            let card = scorecard(scores, grid: grid)
            total = InstructionOperations.points(card.total(in: grid).hundredths, req)
            if x.handedInAt == nil {
                var f = FormBuilder(req, values: values ?? v, errors: errors)
                let scale = (0...grid.scaleMax).map { (String($0), String($0)) }
                for c in grid.criteria {
                    f.section(c.label.text(req.language) + " – " + req.t("evaluation.weight", String(c.weight)))
                    for q in c.questions {
                        f.choice(q.code, q.label.text(req.language), type: "select", options: [("", req.t("evaluation.not_scored"))] + scale,
                                 optional: true, translateOptions: false)
                    }
                }
                if !grid.bonuses.isEmpty {
                    f.section("evaluation.bonuses")
                    f.choice("bonus", "evaluation.bonuses_label", type: "checkboxes",
                             options: grid.bonuses.map { ($0.code, $0.label.text(req.language) + " (+" + String($0.points) + ", " + $0.ruleID + ")") },
                             optional: true, translateOptions: false)
                }
                f.section(nil)
                f.textarea("comment", "evaluation.comment", hint: "evaluation.comment_hint", optional: true, maxLength: 4000, rows: 5)
                f.checkbox("hand_in", "evaluation.hand_in", hint: "evaluation.hand_in_hint")
                scoreForm = f.build(action: base + "/scores", submit: "evaluation.save")
            }
        }
        let around = req.t("evaluation.total", "\u{1}", String(grid.maxTotal)).components(separatedBy: "\u{1}")
        return try await req.render("evaluations/score", title: "evaluation.title", ScorePage(
            heading: a.title.isEmpty ? req.t("app.untitled") : a.title, caption: (a.reference ?? "") + " – " + (call.blindReview ? req.t("evaluation.blind") : a.legalName),
            declarationForm: declarationForm, conflict: x.state == .conflict, groups: groups, scoreForm: scoreForm, total: total,
            totalBefore: around.first ?? "", totalAfter: around.dropFirst().joined(),
            liveGrid: scoreForm == nil ? nil : LiveGrid(grid, decimalComma: req.language != .en).json,
            handedIn: x.handedInAt != nil, documents: documents),
            errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    /// What the scoring page's script needs to show the total as the evaluator scores (COM-09, COM-10): the scale,
    /// each criterion's weight and sub-questions, each bonus's points. The script rounds as `Scorecard.points`
    /// does; the total that counts is the one the server computes when the scores are saved.
    struct LiveGrid: Encodable {
        struct Criterion: Encodable { let weight: Int; let questions: [String] }
        let scale: Int
        let criteria: [Criterion]
        let bonuses: [String: Int]
        let decimalComma: Bool

        init(_ grid: ScoringGrid, decimalComma: Bool) {
            scale = grid.scaleMax
            criteria = grid.criteria.map { Criterion(weight: $0.weight, questions: $0.questions.map(\.code)) }
            bonuses = Dictionary(grid.bonuses.map { ($0.code, $0.points) }, uniquingKeysWith: { a, _ in a })
            self.decimalComma = decimalComma
        }

        var json: String? { (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The application's call: its grid (COM-09) and whether the review is blind.
    static func call(of a: GrantApplication, on store: any StoreReading) async throws -> Call {
        guard let call = try await store.find(Call.self, a.$call.id) else { throw Abort(.notFound) }
        return call
    }

    static func scorecard(_ scores: [EvaluationScore], grid: ScoringGrid) -> Scorecard {
        let bonusCodes = Set(grid.bonuses.map(\.code))
        var card = Scorecard()
        for s in scores {
            if bonusCodes.contains(s.itemCode) { card.bonuses.insert(s.itemCode) } else { card.scores[s.itemCode] = s.score }
        }
        return card
    }

    /// A document of the assigned application, once the evaluator has declared no conflict of interest.
    static func document(_ req: Request) async throws -> Response {
        let (_, x) = try await assignment(req)
        guard x.state == .free, let id = req.parameters.get("docID", as: UUID.self),
              let doc = try await req.store.query(ApplicationDocument.self).filter(\.$id == id)
                .filter(\.$application.$id == x.$application.id).first(),
              let call = try await req.store.find(Call.self, x.application.$call.id) else { throw Abort(.notFound) }
        let ext = doc.filename.split(separator: ".").last.map { "." + $0 } ?? ""
        return DocumentFiles.file(doc, filename: call.blindReview ? "document" + ext : doc.filename)
    }

    static func declare(_ req: Request) async throws -> Response {
        let (_, x) = try await assignment(req)
        let v = req.formValues()
        guard x.state == .pending else { return try await req.redirect("/evaluations/\(x.storedID)") }
        var errors = FormErrors()
        let choice = EvaluationAssignment.Declaration(rawValue: v["declaration"])
        if choice != .free && choice != .conflict { errors.add("declaration", "evaluation.choose_declaration") }
        errors.optional(v, "note", max: 2000)
        if !errors.isEmpty { return try await render(req, x, values: v, errors: errors) }
        let now = req.now
        try await req.store.write { tx in
            x.declaration = choice!.rawValue
            x.declaredAt = now
            x.conflictNote = v["note"].isEmpty ? nil : v["note"]
            try await tx.update(x)
            try await tx.audit(choice == .conflict ? "evaluation.conflict_declared" : "evaluation.no_conflict_declared",
                                   entity: "application", id: x.$application.id, summary: v["note"], by: req)
            if choice == .conflict {
                // The officer is told to reassign.
                let officers = try await tx.query(User.self).filter(\.$role == UserRole.officer.rawValue).filter(\.$isActive == true).all()
                for o in officers {
                    try await tx.enqueueMail(to: o.email, userID: o.id, subject: req.t("evaluation.mail.conflict_subject", x.application.reference ?? ""),
                                             body: req.t("evaluation.mail.conflict_body", x.application.reference ?? "",
                                                         req.application.subsidiaConfig.baseURL + "/staff/applications/\(x.$application.id)"),
                                             kind: "evaluation", now: now)
                }
            }
        }
        return try await req.redirect(choice == .conflict ? "/evaluations" : "/evaluations/\(x.storedID)",
                                      flash: choice == .conflict ? "evaluation.flash.conflict" : "evaluation.flash.free")
    }

    /// Saves the scores (and hands the scorecard in when asked and complete). Scores outside the scale are refused.
    static func saveScores(_ req: Request) async throws -> Response {
        let (_, x) = try await assignment(req)
        guard x.state == .free, x.handedInAt == nil else { throw Abort(.notFound) }
        let v = req.formValues()
        let grid = try await call(of: x.application, on: req.store).scoringGrid
        var scorecard = Scorecard()
        var errors = FormErrors()
        for code in grid.questionCodes where !v[code].isEmpty {
            if let n = Int(v[code]) { scorecard.scores[code] = n } else { errors.add(code, "evaluation.score_outside", String(grid.scaleMax)) }
        }
        scorecard.bonuses = Set(v.all("bonus"))
        for p in scorecard.problems(in: grid) {
            switch p {
            case .outOfScale(let code, let max): errors.add(code, "evaluation.score_outside", String(max))
            case .unknownQuestion(let code): errors.add(code, "evaluation.score_outside", String(grid.scaleMax))
            case .unknownBonus: errors.add("bonus", "evaluation.unknown_bonus")
            }
        }
        errors.optional(v, "comment", max: 4000)
        let handIn = v.isChecked("hand_in")
        if errors.isEmpty && handIn && !scorecard.isComplete(in: grid) { errors.add("hand_in", "evaluation.incomplete") }
        if !errors.isEmpty { return try await render(req, x, values: v, errors: errors) }
        let now = req.now
        let assignmentID = try x.storedID
        let card = scorecard
        try await req.store.write { tx in
            try await tx.query(EvaluationScore.self).filter(\.$assignment.$id == assignmentID).delete()
            for (code, score) in card.scores.sorted(by: { $0.key < $1.key }) {
                let s = EvaluationScore()
                s.$assignment.id = assignmentID
                s.itemCode = code
                s.score = score
                try await tx.create(s)
            }
            for code in card.bonuses.sorted() {
                let s = EvaluationScore()
                s.$assignment.id = assignmentID
                s.itemCode = code
                s.score = 1
                try await tx.create(s)
            }
            x.comment = v["comment"].isEmpty ? nil : v["comment"]
            x.totalHundredths = card.total(in: grid).hundredths
            if handIn { x.handedInAt = now }
            try await tx.update(x)
            try await tx.audit(handIn ? "evaluation.handed_in" : "evaluation.scored", entity: "application", id: x.$application.id,
                                   summary: card.total(in: grid).description, by: req)
        }
        return try await req.redirect("/evaluations/\(assignmentID)", flash: handIn ? "evaluation.flash.handed_in" : "evaluation.flash.saved")
    }
}
