import Foundation
import SubsidiaCore
import Vapor

/// The officer's call form: fields, checks (closing after opening, rates 0–100 %, amounts bounded) and mapping.
enum CallForm {
    static func build(_ req: Request, values: FormValues, errors: FormErrors, programmes: [Programme], action: String) throws -> FormView {
        var f = FormBuilder(req, values: values, errors: errors)
        f.section("callform.section.identity")
        f.choice("programme", "callform.programme", type: "select",
                 options: try programmes.map { (try $0.storedID.uuidString, $0.name.text(req.language)) }, translateOptions: false)
        f.text("reference", "callform.reference", hint: "callform.reference_hint", maxLength: 40, width: "20")
        f.choice("rule_set", "callform.rule_set", type: "select", options: RuleSet.allCases.map { ($0.rawValue, "ruleset." + $0.rawValue) })
        for l in Language.allCases {
            f.text("title_\(l.rawValue)", "callform.title_\(l.rawValue)", maxLength: 200)
        }
        for l in Language.allCases {
            f.textarea("summary_\(l.rawValue)", "callform.summary_\(l.rawValue)", optional: true, maxLength: 4000, rows: 4)
        }
        f.section("callform.section.dates")
        f.choice("kind", "callform.kind", type: "radios", options: CallKind.allCases.map { ($0.rawValue, "call.kind." + $0.rawValue) })
        f.text("opens_at", "callform.opens_at", hint: "callform.datetime_hint", type: "datetime-local", maxLength: 20)
        f.text("closes_at", "callform.closes_at", hint: "callform.closes_hint", optional: true, type: "datetime-local", maxLength: 20)
        f.text("cost_start", "callform.cost_start", hint: "callform.date_hint", optional: true, type: "date", maxLength: 10)
        f.text("cost_end", "callform.cost_end", optional: true, type: "date", maxLength: 10)
        f.text("lead_time_days", "callform.lead_time_days", hint: "callform.lead_time_hint", inputmode: "numeric", width: "5")
        f.section("callform.section.eligibility")
        f.choice("legal_forms", "callform.legal_forms", type: "checkboxes", options: LegalForm.allCases.map { ($0.rawValue, $0.labelKey) })
        f.choice("seat_country", "callform.seat_country", type: "select", options: OrganisationForm.countries.map { ($0, "country." + $0) })
        f.section("callform.section.funding")
        f.text("max_amount", "callform.max_amount", hint: "callform.money_hint", optional: true, inputmode: "decimal", width: "10")
        f.text("max_rate", "callform.max_rate", hint: "callform.rate_hint", optional: true, inputmode: "decimal", width: "5")
        f.text("global_budget", "callform.global_budget", hint: "callform.money_hint", optional: true, inputmode: "decimal", width: "10")
        f.text("km_rate", "callform.km_rate", hint: "callform.km_rate_hint", optional: true, inputmode: "decimal", width: "5")
        f.section("callform.section.evaluation")
        f.choice("blind_review", "callform.blind_review", type: "checkboxes", options: [("1", "callform.blind_review_option")],
                 hint: "callform.blind_review_hint", optional: true)
        return f.build(action: action, submit: "form.save")
    }

    struct Parsed {
        var definition: CallDefinition
        var programmeID: UUID
        var ruleSet: RuleSet
        var summaries: [Language: String]
        var seatCountry: String
        var blindReview: Bool
        /// COM-26: what a private-car kilometre is worth in the budget; nil keeps the communes' 0.30 €.
        var kmRate: Money?
    }

    /// The largest kilometre rate the form takes: well above any official scale, so that a slip of the decimal
    /// separator (30 for 0,30) is caught.
    static let kmRateMaximum = Money(cents: 500)

    static func parse(_ v: FormValues, programmes: [Programme]) -> (Parsed?, FormErrors) {
        var e = FormErrors()
        let programmeID = UUID(uuidString: v["programme"])
        if programmeID == nil || !programmes.contains(where: { $0.id == programmeID }) { e.add("programme", "error.invalid_choice") }
        let ruleSet = RuleSet(rawValue: v["rule_set"])
        if ruleSet == nil { e.add("rule_set", "error.invalid_choice") }
        let kind = CallKind(rawValue: v["kind"])
        if kind == nil { e.add("kind", "error.invalid_choice") }
        let opens = LuxembourgTime.parseLocal(v["opens_at"])
        if v["opens_at"].isEmpty { e.add("opens_at", "error.required") } else if opens == nil { e.add("opens_at", "error.datetime") }
        let closes = v.has("closes_at") ? LuxembourgTime.parseLocal(v["closes_at"]) : nil
        if v.has("closes_at") && closes == nil { e.add("closes_at", "error.datetime") }
        let costStart = v.has("cost_start") ? CalendarDate(iso: v["cost_start"]) : nil
        if v.has("cost_start") && costStart == nil { e.add("cost_start", "error.date") }
        let costEnd = v.has("cost_end") ? CalendarDate(iso: v["cost_end"]) : nil
        if v.has("cost_end") && costEnd == nil { e.add("cost_end", "error.date") }
        if (costStart == nil) != (costEnd == nil) && e.item(for: "cost_start") == nil && e.item(for: "cost_end") == nil {
            e.add(costStart == nil ? "cost_start" : "cost_end", "callform.error.period_both")
        }
        let lead = Int(v["lead_time_days"])
        if lead == nil { e.add("lead_time_days", "error.whole_number") }
        func money(_ name: String) -> Money? {
            guard v.has(name) else { return nil }
            guard let m = Money.parse(v[name]) else { e.add(name, "error.amount"); return nil }
            return m
        }
        let maxAmount = money("max_amount")
        var kmRate: Money?
        if v.has("km_rate") {
            if let k = Money.parse(v["km_rate"]), k.cents > 0, k <= kmRateMaximum { kmRate = k } else { e.add("km_rate", "callform.error.km_rate") }
        }
        let globalBudget = money("global_budget")
        var maxRate: Rate?
        if v.has("max_rate") {
            maxRate = Rate.parsePercent(v["max_rate"])
            if maxRate == nil { e.add("max_rate", "error.rate_range") }
        }
        let forms = Set(v.all("legal_forms").compactMap(LegalForm.init(rawValue:)))
        if !OrganisationForm.countries.contains(v["seat_country"]) { e.add("seat_country", "error.invalid_choice") }
        for l in Language.allCases { e.optional(v, "summary_\(l.rawValue)", max: 4000) }
        guard let programmeID, let ruleSet, let kind, let opens, let lead else { return (nil, e) }
        let def = CallDefinition(
            reference: v["reference"], titles: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, v["title_\($0.rawValue)"]) }),
            kind: kind, opensAt: opens, closesAt: closes, costPeriodStart: costStart, costPeriodEnd: costEnd, leadTimeDays: lead,
            maxAmount: maxAmount, maxRate: maxRate, globalBudget: globalBudget, eligibleLegalForms: forms)
        for p in def.problems() { e.add(p.field, p.key) }
        guard e.isEmpty else { return (nil, e) }
        return (Parsed(definition: def, programmeID: programmeID, ruleSet: ruleSet,
                       summaries: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, v["summary_\($0.rawValue)"]) }),
                       seatCountry: v["seat_country"], blindReview: v.all("blind_review").contains("1"), kmRate: kmRate), e)
    }

    static func apply(_ p: Parsed, to c: Call) {
        let d = p.definition
        c.$programme.id = p.programmeID
        c.reference = d.reference.trimmingCharacters(in: .whitespaces)
        c.titleFr = d.titles[.fr] ?? ""
        c.titleEn = d.titles[.en] ?? ""
        c.titleDe = d.titles[.de] ?? ""
        c.summaryFr = p.summaries[.fr] ?? ""
        c.summaryEn = p.summaries[.en] ?? ""
        c.summaryDe = p.summaries[.de] ?? ""
        c.ruleSet = p.ruleSet.rawValue
        c.kind = d.kind.rawValue
        c.opensAt = d.opensAt
        c.closesAt = d.closesAt
        c.costStart = d.costPeriodStart?.iso
        c.costEnd = d.costPeriodEnd?.iso
        c.leadTimeDays = d.leadTimeDays
        c.eligibleLegalForms = LegalForm.allCases.filter { d.eligibleLegalForms.contains($0) }.map(\.rawValue).joined(separator: ",")
        c.seatCountry = p.seatCountry
        c.maxAmountCents = d.maxAmount?.cents
        c.maxRateBP = d.maxRate?.basisPoints
        c.globalBudgetCents = d.globalBudget?.cents
        c.blindReview = p.blindReview
        // COM-26: the communes subsidy values a private-car kilometre at 0.30 € unless the officer sets another rate.
        c.kmRateCents = p.kmRate?.cents ?? (p.ruleSet == .communes ? ExpenseLine.communesKilometreRate.cents : nil)
    }

    static func values(of c: Call, language: Language) -> FormValues {
        var v = FormValues()
        v["programme"] = c.$programme.id.uuidString
        v["reference"] = c.reference
        v["rule_set"] = c.ruleSet
        v["title_fr"] = c.titleFr
        v["title_en"] = c.titleEn
        v["title_de"] = c.titleDe
        v["summary_fr"] = c.summaryFr
        v["summary_en"] = c.summaryEn
        v["summary_de"] = c.summaryDe
        v["kind"] = c.kind
        v["opens_at"] = LuxembourgTime.localInputValue(c.opensAt)
        v["closes_at"] = c.closesAt.map(LuxembourgTime.localInputValue) ?? ""
        v["cost_start"] = c.costStart ?? ""
        v["cost_end"] = c.costEnd ?? ""
        v["lead_time_days"] = String(c.leadTimeDays)
        v.fields["legal_forms"] = c.legalForms.map(\.rawValue)
        v["seat_country"] = c.seatCountry
        v["max_amount"] = c.maxAmountCents.map { MoneyFormatter.inputValue(Money(cents: $0), language: language) } ?? ""
        v["max_rate"] = c.maxRateBP.map { MoneyFormatter.percent(Rate(basisPoints: $0), language: .en).replacingOccurrences(of: "%", with: "") } ?? ""
        v["global_budget"] = c.globalBudgetCents.map { MoneyFormatter.inputValue(Money(cents: $0), language: language) } ?? ""
        v.fields["blind_review"] = c.blindReview ? ["1"] : []
        v["km_rate"] = c.kmRateCents.map { MoneyFormatter.inputValue(Money(cents: $0), language: language) } ?? ""
        v["version"] = String(c.version)
        return v
    }
}
