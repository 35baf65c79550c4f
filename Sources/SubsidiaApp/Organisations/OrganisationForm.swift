import Foundation
import SubsidiaCore
import Vapor

/// The organisation profile form: its fields, their checks (COM-22, AMIF-04) and how they fill the model.
enum OrganisationForm {
    static let countries = ["LU", "BE", "DE", "FR", "NL", "AT", "IT", "PT", "ES", "CH"]

    static func build(_ req: Request, values: FormValues, errors: FormErrors, action: String, submit: String) -> FormView {
        var f = FormBuilder(req, values: values, errors: errors)
        f.section("org.section.identity")
        f.text("legal_name", "org.legal_name", hint: "org.legal_name_hint", autocomplete: "organization")
        f.text("original_name", "org.original_name", hint: "org.original_name_hint", optional: true)
        f.choice("legal_form", "org.legal_form", type: "select",
                 options: [("", "form.choose")] + LegalForm.allCases.map { ($0.rawValue, $0.labelKey) })
        f.text("rcs_number", "org.rcs_number", hint: "org.rcs_number_hint", optional: true, maxLength: 30, width: "10")
        f.choice("pakt_signed", "org.pakt_signed", type: "radios", options: [("yes", "form.yes"), ("no", "form.no")],
                 hint: "org.pakt_signed_hint", optional: true)
        details(&f)
        return f.build(action: action, submit: submit)
    }

    /// Address, bank details and contacts 1 and 2 (Annex 1): the profile and each application's applicant section.
    static func details(_ f: inout FormBuilder) {
        f.section("org.section.address")
        f.text("street", "org.street", autocomplete: "address-line1")
        f.text("postcode", "org.postcode", hint: "org.postcode_hint", autocomplete: "postal-code", maxLength: 12, width: "10")
        f.text("locality", "org.locality", autocomplete: "address-level2", maxLength: 100)
        f.choice("country", "org.country", type: "select", options: countries.map { ($0, "country." + $0) })
        f.text("phone", "org.phone", optional: true, type: "tel", autocomplete: "tel", maxLength: 30, width: "20")
        f.text("website", "org.website", optional: true, type: "url", autocomplete: "url", maxLength: 300)
        f.section("org.section.bank")
        f.text("bank_holder", "org.bank_holder", maxLength: 200)
        f.text("iban", "org.iban", hint: "org.iban_hint", maxLength: 42, width: "30")
        f.text("bic", "org.bic", hint: "org.bic_hint", maxLength: 11, width: "10")
        for n in [1, 2] {
            f.section("org.section.contact\(n)")
            let opt = n == 2
            f.text("contact\(n)_name", "org.contact_name", optional: opt, autocomplete: opt ? "off" : "name", maxLength: 120)
            f.text("contact\(n)_function", "org.contact_function", optional: opt, maxLength: 120)
            f.text("contact\(n)_phone", "org.contact_phone", optional: opt, type: "tel", maxLength: 30, width: "20")
            f.text("contact\(n)_email", "org.contact_email", optional: opt, type: "email", maxLength: 254)
            f.textarea("contact\(n)_address", "org.contact_address", hint: "org.contact_address_hint", optional: true, maxLength: 400, rows: 3)
        }
    }

    /// Checks the sent values. Returns the errors; `apply` is only called when there are none.
    static func validate(_ v: FormValues) -> FormErrors {
        var e = FormErrors()
        e.required(v, "legal_name")
        e.optional(v, "original_name")
        let form = LegalForm(rawValue: v["legal_form"])
        if v["legal_form"].isEmpty { e.add("legal_form", "org.error.legal_form_required") }
        else if form == nil { e.add("legal_form", "error.invalid_choice") }
        if v.has("rcs_number") && RCSNumber(v["rcs_number"]) == nil { e.add("rcs_number", "org.error.rcs") }
        if form == .commune && !["yes", "no"].contains(v["pakt_signed"]) { e.add("pakt_signed", "org.error.pakt_required") }
        e.required(v, "street")
        let country = v["country"]
        if !countries.contains(country) { e.add("country", "error.invalid_choice") }
        if v["postcode"].isEmpty { e.add("postcode", "error.required") }
        else if country == "LU" && LuxembourgPostcode(v["postcode"]) == nil { e.add("postcode", "org.error.postcode_lu") }
        else if v["postcode"].count > 12 { e.add("postcode", "error.too_long", "12") }
        e.required(v, "locality", max: 100)
        e.phone(v, "phone", required: false)
        if v.has("website") && TextRules.normalisedWebsite(v["website"]) == nil { e.add("website", "org.error.website") }
        e.required(v, "bank_holder")
        if v["iban"].isEmpty { e.add("iban", "error.required") } else {
            do { _ = try IBAN(v["iban"]) } catch {
                switch error {
                case .empty: e.add("iban", "error.required")
                case .invalidCharacters: e.add("iban", "org.error.iban_characters")
                case .unknownCountry: e.add("iban", "org.error.iban_country")
                case .wrongLength:
                    let country = String(v["iban"].filter { !$0.isWhitespace }.uppercased().prefix(2))
                    e.add("iban", "org.error.iban_length", country, String(IBAN.lengths[country] ?? 0))
                case .checksum: e.add("iban", "org.error.iban_checksum")
                }
            }
        }
        if v["bic"].isEmpty { e.add("bic", "error.required") } else {
            do { _ = try BIC(v["bic"]) } catch {
                e.add("bic", error == .wrongLength ? "org.error.bic_length" : "org.error.bic_format")
            }
        }
        e.required(v, "contact1_name", max: 120)
        e.required(v, "contact1_function", max: 120)
        e.phone(v, "contact1_phone", required: true)
        e.email(v, "contact1_email")
        e.optional(v, "contact1_address", max: 400)
        let anyContact2 = ["name", "function", "phone", "email", "address"].contains { v.has("contact2_" + $0) }
        if anyContact2 {
            e.required(v, "contact2_name", max: 120)
            e.optional(v, "contact2_function", max: 120)
            e.phone(v, "contact2_phone", required: false)
            e.email(v, "contact2_email")
            e.optional(v, "contact2_address", max: 400)
        }
        return e
    }

    /// Copies validated values into the model, in their normalised forms (IBAN compact, postcode L-1234).
    static func apply(_ v: FormValues, to o: Organisation) {
        func opt(_ name: String) -> String? { v.has(name) ? v[name] : nil }
        o.legalName = v["legal_name"]
        o.originalName = opt("original_name")
        o.legalForm = v["legal_form"]
        o.rcsNumber = RCSNumber(v["rcs_number"])?.value
        o.paktSigned = o.legalForm == LegalForm.commune.rawValue ? v["pakt_signed"] == "yes" : nil
        o.street = v["street"]
        o.country = v["country"]
        o.postcode = o.country == "LU" ? (LuxembourgPostcode(v["postcode"])?.description ?? v["postcode"]) : v["postcode"]
        o.locality = v["locality"]
        o.phone = opt("phone")
        o.website = opt("website").flatMap(TextRules.normalisedWebsite)
        o.bankHolder = v["bank_holder"]
        o.iban = (try? IBAN(v["iban"]))?.value
        o.bic = (try? BIC(v["bic"]))?.value
        o.contact1Name = v["contact1_name"]
        o.contact1Function = v["contact1_function"]
        o.contact1Phone = v["contact1_phone"]
        o.contact1Email = TextRules.normalisedEmail(v["contact1_email"])
        o.contact1Address = opt("contact1_address")
        o.contact2Name = opt("contact2_name")
        o.contact2Function = opt("contact2_function")
        o.contact2Phone = opt("contact2_phone")
        o.contact2Email = opt("contact2_email").map(TextRules.normalisedEmail)
        o.contact2Address = opt("contact2_address")
    }

    /// The form's values for an existing organisation (formatted for people: IBAN in groups of four).
    static func values(of o: Organisation) -> FormValues {
        var v = FormValues()
        v["legal_name"] = o.legalName
        v["original_name"] = o.originalName ?? ""
        v["legal_form"] = o.legalForm
        v["rcs_number"] = o.rcsNumber ?? ""
        v["pakt_signed"] = o.paktSigned.map { $0 ? "yes" : "no" } ?? ""
        v["street"] = o.street
        v["postcode"] = o.postcode
        v["locality"] = o.locality
        v["country"] = o.country
        v["phone"] = o.phone ?? ""
        v["website"] = o.website ?? ""
        v["bank_holder"] = o.bankHolder ?? ""
        v["iban"] = o.iban.flatMap { try? IBAN($0) }?.formatted ?? (o.iban ?? "")
        v["bic"] = o.bic ?? ""
        v["contact1_name"] = o.contact1Name
        v["contact1_function"] = o.contact1Function
        v["contact1_phone"] = o.contact1Phone
        v["contact1_email"] = o.contact1Email
        v["contact1_address"] = o.contact1Address ?? ""
        v["contact2_name"] = o.contact2Name ?? ""
        v["contact2_function"] = o.contact2Function ?? ""
        v["contact2_phone"] = o.contact2Phone ?? ""
        v["contact2_email"] = o.contact2Email ?? ""
        v["contact2_address"] = o.contact2Address ?? ""
        v["version"] = String(o.version)
        return v
    }
}
