import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// An officer sets a call's scoring grid (COM-09): the scale of the sub-questions, the weight of each criterion and
/// the points of each priority (COM-04/05/06). The criteria and sub-questions are seed 003's; the numbers are
/// the call's own. Once an evaluator has scored an application of the call, the grid no longer changes, so that
/// every scorecard of a call is counted on the same grid.
enum GridController {
    struct Page: Encodable, Sendable {
        let heading: String
        let caption: String
        let form: FormView?
        let locked: Bool
        let maxTotal: String
        let back: String
    }

    static func show(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        return try await render(req, call: call, grid: call.scoringGrid, values: nil, errors: FormErrors())
    }

    static func values(of grid: ScoringGrid) -> FormValues {
        var v = FormValues()
        v["scale_max"] = String(grid.scaleMax)
        for c in grid.criteria { v["weight_" + c.code] = String(c.weight) }
        for b in grid.bonuses { v["points_" + b.code] = String(b.points) }
        return v
    }

    static func render(_ req: Request, call: Call, grid: ScoringGrid, values: FormValues?, errors: FormErrors) async throws -> Response {
        let locked = try await isLocked(call.storedID, on: req.store)
        var form: FormView?
        if !locked {
            var f = FormBuilder(req, values: values ?? Self.values(of: grid), errors: errors)
            f.text("scale_max", "grid.scale_max", hint: "grid.scale_max_hint", maxLength: 3, inputmode: "numeric", width: "3")
            f.section("grid.weights")
            for c in grid.criteria {
                f.text("weight_" + c.code, c.label.text(req.language) + " (" + req.t("grid.questions", String(c.questions.count)) + ")",
                       maxLength: 4, inputmode: "numeric", width: "4")
            }
            if !grid.bonuses.isEmpty {
                f.section("grid.bonuses")
                for b in grid.bonuses {
                    f.text("points_" + b.code, b.label.text(req.language) + " (" + b.ruleID + ")", maxLength: 4, inputmode: "numeric", width: "4")
                }
            }
            form = f.build(action: "/staff/calls/\(try call.storedID)/grid", submit: "form.save")
        }
        return try await req.render("staff/grid", title: "grid.title", Page(
            heading: req.t("grid.title"), caption: call.reference + " – " + call.title.text(req.language), form: form, locked: locked,
            maxTotal: String(grid.maxTotal), back: "/staff/calls/\(call.storedID)"),
            errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    /// True once any evaluator has scored an application of the call.
    static func isLocked(_ call: UUID, on store: any StoreReading) async throws -> Bool {
        struct Row: Decodable { let n: Int }
        return try await store.first(Row.self, """
            SELECT COUNT(*) AS n FROM evaluation_scores s JOIN evaluation_assignments x ON x.id = s.assignment_id \
            JOIN applications a ON a.id = x.application_id WHERE a.call_id = \(bind: call)
            """).map { $0.n > 0 } ?? false
    }

    static func save(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let current = call.scoringGrid
        if try await isLocked(call.storedID, on: req.store) { return try await render(req, call: call, grid: current, values: nil, errors: FormErrors()) }
        let v = req.formValues()
        var errors = FormErrors()
        func number(_ name: String) -> Int? {
            guard let n = Int(v[name].trimmingCharacters(in: .whitespaces)) else { errors.add(name, "error.whole_number"); return nil }
            return n
        }
        let scale = number("scale_max")
        var weights: [String: Int] = [:]
        var points: [String: Int] = [:]
        for c in current.criteria { weights[c.code] = number("weight_" + c.code) }
        for b in current.bonuses { points[b.code] = number("points_" + b.code) }
        guard errors.isEmpty, let scale else { return try await render(req, call: call, grid: current, values: v, errors: errors) }
        let grid = current.with(scaleMax: scale, weights: weights, points: points)
        for problem in grid.problems() {
            if problem == "scale" { errors.add("scale_max", "grid.error.scale") }
            if weights[problem] != nil { errors.add("weight_" + problem, "grid.error.weight") }
            if points[problem] != nil { errors.add("points_" + problem, "grid.error.points") }
        }
        guard errors.isEmpty else { return try await render(req, call: call, grid: current, values: v, errors: errors) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        call.scoringGridJSON = String(decoding: try encoder.encode(grid), as: UTF8.self)
        try await req.store.write { tx in
            try await tx.save(call)
            try await tx.audit("call.grid_changed", entity: "call", id: call.id,
                                   summary: "scale 0–\(scale); " + grid.criteria.map { "\($0.code) \($0.weight)" }.joined(separator: ", ")
                                       + "; " + grid.bonuses.map { "\($0.code) +\($0.points)" }.joined(separator: ", "), by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)/grid", flash: "grid.flash.saved")
    }
}
