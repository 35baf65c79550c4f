import Foundation
import SubsidiaCore
import Vapor

/// A budget or revenue line read from a form (the pages) or its fields (the API): every message tied to its field.
enum BudgetForms {
    /// Reads an expense line from the form; every message is tied to its field.
    static func parseExpense(_ v: FormValues, kilometreRate: Money) -> (ExpenseLine?, FormErrors) {
        var e = FormErrors()
        guard let cat = Int(v["category"]).flatMap(ExpenseCategory.init(rawValue:)) else {
            e.add("category", "budget.error.category")
            return (nil, e)
        }
        e.optional(v, "detail", max: 300)
        e.optional(v, "justification", max: 1_000)
        let quantity = Int(v["quantity"].replacingOccurrences(of: " ", with: ""))
        if quantity == nil { e.add("quantity", "error.whole_number") }
        let privateCar = cat == .travel && v.isChecked("private_car")
        var unit = Money.zero
        if !privateCar {
            if v["unit_cost"].isEmpty { e.add("unit_cost", "error.required") }
            else if let m = Money.parse(v["unit_cost"]) { unit = m } else { e.add("unit_cost", "error.amount") }
        }
        let headcount = v.has("headcount") ? Int(v["headcount"]) : 1
        if headcount == nil { e.add("headcount", "error.whole_number") }
        let share = v.has("share") ? Rate.parsePercent(v["share"]) : Rate(percent: 100)
        if share == nil { e.add("share", "budget.error.share") }
        guard e.isEmpty, let quantity, let headcount, let share else { return (nil, e) }
        let line = ExpenseLine(category: cat, detail: v["detail"], justification: v["justification"], quantity: quantity, unitCost: unit,
                               function: v["function"], headcount: headcount, share: (cat == .personnel || cat == .propertyRental) ? share : Rate(percent: 100),
                               runningCost: cat == .personnel && v.isChecked("running_cost"), privateCar: privateCar)
        for p in line.problems(kilometreRate: kilometreRate) { e.add(p.field, p.key) }
        return (e.isEmpty ? line : nil, e)
    }

    static func parseRevenue(_ v: FormValues) -> (RevenueLine?, FormErrors) {
        var e = FormErrors()
        guard let kind = RevenueKind(rawValue: v["kind"]) else {
            e.add("kind", "revenue.error.kind")
            return (nil, e)
        }
        e.optional(v, "source", max: 200)
        e.optional(v, "detail", max: 300)
        var amount = Money.zero
        if v["amount"].isEmpty { e.add("amount", "error.required") }
        else if let m = Money.parse(v["amount"]) { amount = m } else { e.add("amount", "error.amount") }
        guard e.isEmpty else { return (nil, e) }
        let line = RevenueLine(kind: kind, source: v["source"], detail: v["detail"], amount: amount,
                               loanLinkedToProject: kind.isLoan && v.isChecked("loan_linked"))
        for p in line.problems() { e.add(p.field, p.key) }
        return (e.isEmpty ? line : nil, e)
    }
}
