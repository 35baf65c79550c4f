import Foundation
import SubsidiaCore
import Vapor

/// The applicant section: the organisation's details copied into the application (COM-22: applicant,
/// bank details, contacts 1 and 2), plus the revenue-article declaration of the communes call (COM-02).
enum ApplicantForm {
    static func build(_ req: Request, values: FormValues, errors: FormErrors, action: String, ruleSet: RuleSet) -> FormView {
        var f = FormBuilder(req, values: values, errors: errors)
        f.section("org.section.identity")
        f.text("legal_name", "org.legal_name", autocomplete: "organization")
        OrganisationForm.details(&f)
        if ruleSet == .communes {
            f.section("app.applicant.budget_section")
            f.choice("revenue_article", "app.applicant.revenue_article", type: "radios",
                     options: [("yes", "form.yes"), ("no", "form.no")], hint: "app.applicant.revenue_article_hint")
        }
        return f.build(action: action, submit: "app.save_and_return")
    }

    /// The organisation checks, with the legal form and Pakt fixed by the organisation itself.
    static func validate(_ values: FormValues, legalForm: String, ruleSet: RuleSet) -> FormErrors {
        var v = values
        v["legal_form"] = legalForm
        v["pakt_signed"] = "no"
        var e = OrganisationForm.validate(v)
        if ruleSet == .communes && !["yes", "no"].contains(values["revenue_article"]) { e.add("revenue_article", "error.choose") }
        return e
    }

    static func problems(of a: GrantApplication, ruleSet: RuleSet) -> FormErrors {
        validate(values(of: a), legalForm: a.legalForm, ruleSet: ruleSet)
    }

    static func apply(_ v: FormValues, to a: GrantApplication) {
        let o = Organisation()
        var values = v
        values["legal_form"] = a.legalForm
        OrganisationForm.apply(values, to: o)
        prefill(a, from: o)
        a.revenueArticle = v["revenue_article"] == "yes" ? true : (v["revenue_article"] == "no" ? false : nil)
    }

    /// Copies the organisation profile into a new application.
    static func prefill(_ a: GrantApplication, from o: Organisation) {
        a.legalName = o.legalName
        a.legalForm = o.legalForm
        a.street = o.street
        a.postcode = o.postcode
        a.locality = o.locality
        a.country = o.country
        a.phone = o.phone
        a.website = o.website
        a.bankHolder = o.bankHolder
        a.iban = o.iban
        a.bic = o.bic
        a.contact1Name = o.contact1Name
        a.contact1Function = o.contact1Function
        a.contact1Phone = o.contact1Phone
        a.contact1Email = o.contact1Email
        a.contact1Address = o.contact1Address
        a.contact2Name = o.contact2Name
        a.contact2Function = o.contact2Function
        a.contact2Phone = o.contact2Phone
        a.contact2Email = o.contact2Email
        a.contact2Address = o.contact2Address
    }

    static func values(of a: GrantApplication) -> FormValues {
        var v = FormValues()
        v["legal_name"] = a.legalName
        v["street"] = a.street
        v["postcode"] = a.postcode
        v["locality"] = a.locality
        v["country"] = a.country
        v["phone"] = a.phone ?? ""
        v["website"] = a.website ?? ""
        v["bank_holder"] = a.bankHolder ?? ""
        v["iban"] = a.iban.flatMap { try? IBAN($0) }?.formatted ?? (a.iban ?? "")
        v["bic"] = a.bic ?? ""
        v["contact1_name"] = a.contact1Name
        v["contact1_function"] = a.contact1Function
        v["contact1_phone"] = a.contact1Phone
        v["contact1_email"] = a.contact1Email
        v["contact1_address"] = a.contact1Address ?? ""
        v["contact2_name"] = a.contact2Name ?? ""
        v["contact2_function"] = a.contact2Function ?? ""
        v["contact2_phone"] = a.contact2Phone ?? ""
        v["contact2_email"] = a.contact2Email ?? ""
        v["contact2_address"] = a.contact2Address ?? ""
        v["revenue_article"] = a.revenueArticle.map { $0 ? "yes" : "no" } ?? ""
        return v
    }
}

/// The form of a question section, built from the call's questions.
enum QuestionForm {
    static func build(_ req: Request, bundle: ApplicationBundle, section: ApplicationSection, values: FormValues, errors: FormErrors,
                      action: String) -> FormView {
        var f = FormBuilder(req, values: values, errors: errors)
        let lang = req.language
        f.section(nil)
        for q in bundle.questions(in: section) {
            let label = q.label.text(lang)
            let hint = q.hint.map { $0.text(lang) }
            let optional = !q.required
            switch q.type {
            case .text:
                f.text(q.code, label, hint: hint, optional: optional, maxLength: q.maxLength)
            case .textarea:
                f.textarea(q.code, label, hint: hint, optional: optional, maxLength: q.maxLength, rows: q.maxLines.map { min($0, 15) } ?? 6)
            case .integer:
                f.text(q.code, label, hint: hint, optional: optional, maxLength: 12, inputmode: "numeric", width: "10")
            case .date:
                f.text(q.code, label, hint: hint, optional: optional, type: "date", maxLength: 10, width: "10")
            case .yesNo:
                f.choice(q.code, label, type: "radios", options: [("yes", "form.yes"), ("no", "form.no")], hint: hint, optional: optional)
            case .themes:
                f.choice(q.code, label, type: "checkboxes", options: bundle.call.items(.theme).map { ($0.code, $0.label.text(lang)) },
                         hint: hint, optional: true, translateOptions: false)
            case .capCategory:
                let caps: [(String, String)] = bundle.call.items(.cap).map { c in
                    (c.code, c.label.text(lang) + (c.amountCents.map { " – " + req.t("app.cap_at_most", req.money(Money(cents: $0))) } ?? ""))
                }
                f.choice(q.code, label, type: "radios", options: [("none", req.t("app.festival_none"))] + caps,
                         hint: hint, optional: optional, translateOptions: false)
            case .action:
                f.choice(q.code, label, type: "radios",
                         options: bundle.call.actions.map { ($0.code, $0.code + " – " + $0.title.text(lang)) }, hint: hint,
                         optional: optional, translateOptions: false)
            }
        }
        return f.build(action: action, submit: "app.save_and_return")
    }

    /// The stored answers as form values.
    static func values(_ bundle: ApplicationBundle, section: ApplicationSection) -> FormValues {
        var v = FormValues()
        for q in bundle.questions(in: section) {
            guard let a = bundle.answers[q.code] else { continue }
            switch a {
            case .text(let t): v[q.code] = t
            case .integer(let n): v[q.code] = String(n)
            case .date(let d): v[q.code] = d.iso
            case .bool(let b): v[q.code] = b ? "yes" : "no"
            case .codes(let c): v.fields[q.code] = q.type == .capCategory && c.isEmpty ? ["none"] : c
            }
        }
        return v
    }

    /// Reads the answers of a section. An empty answer is allowed while the application is a draft (the
    /// section then stays "In progress"); a wrong one (a bad date, too many lines) is refused with its message.
    static func parse(_ context: SectionContext, section: ApplicationSection, values: FormValues) -> (answers: [String: AnswerValue?], errors: FormErrors) {
        var out: [String: AnswerValue?] = [:]
        var errors = FormErrors()
        var known = context.answers
        let asked = context.questions(in: section)
        for q in asked where q.type == .yesNo {
            known[q.code] = values[q.code] == "yes" ? .bool(true) : (values[q.code] == "no" ? .bool(false) : nil)
        }
        for q in asked {
            let raw = values.all(q.code)
            if raw.allSatisfy({ $0.trimmingWhitespace.isEmpty }) {
                out[q.code] = .some(nil)
                continue
            }
            do {
                out[q.code] = try q.parse(raw, allowed: context.call.allowedCodes(for: q), otherAnswers: known)
            } catch {
                errors.add(q.code, error.key, arguments: error.args)
            }
        }
        return (out, errors)
    }
}

extension ApplicationSection {
    /// The section the route's `:section` names; 404 for any other.
    static func from(_ req: Request) throws -> ApplicationSection {
        guard let raw = req.parameters.get("section"), let s = ApplicationSection(rawValue: raw), s.isQuestionSection else {
            throw Abort(.notFound)
        }
        return s
    }
}
