import Foundation
import SubsidiaCore
import Vapor

/// The values a form sent, as typed (repeated names, such as checkboxes, keep every value).
struct FormValues: Sendable {
    var fields: [String: [String]]

    init(_ fields: [String: [String]] = [:]) { self.fields = fields }

    /// The value of a field, trimmed; "" when absent.
    subscript(_ name: String) -> String {
        get { (fields[name]?.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        set { fields[name] = [newValue] }
    }

    func all(_ name: String) -> [String] { fields[name] ?? [] }

    /// These values with what a person typed laid over them, keeping this version number: the conflict
    /// page shows the latest record's version with the person's own answers, so nothing typed is lost.
    func overlaid(with typed: FormValues) -> FormValues {
        var out = self
        for (k, vals) in typed.fields where k != "version" && k != "_csrf" { out.fields[k] = vals }
        return out
    }
    func has(_ name: String) -> Bool { !(self[name].isEmpty) }
    func isChecked(_ name: String) -> Bool { ["on", "yes", "true", "1"].contains(self[name].lowercased()) }

    /// Parses an application/x-www-form-urlencoded body.
    static func parse(urlEncoded body: String) -> FormValues {
        var out: [String: [String]] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { percentDecoded(s) ?? "" }
            let key = decode(kv[0])
            let value = kv.count > 1 ? decode(kv[1]) : ""
            out[key, default: []].append(value)
        }
        return FormValues(out)
    }

    /// The name of the first field of an urlencoded body that is not readable text: a broken "%" escape, bytes that
    /// are not UTF-8, or a control character other than tab, line feed and carriage return (NUL among them).
    /// Nil when every field reads. Most bodies are plain printable ASCII and are passed in one scan.
    static func unreadableField(urlEncoded body: some Collection<UInt8>) -> String? {
        if !body.contains(where: { $0 == UInt8(ascii: "%") || $0 < 0x20 || $0 > 0x7E }) { return nil }
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let kv = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            func text(_ bytes: some Collection<UInt8>) -> String? {
                guard let raw = String(validating: bytes, as: UTF8.self), let decoded = percentDecoded(Substring(raw)),
                      !TextRules.hasControlCharacters(decoded) else { return nil }
                return decoded
            }
            guard let name = text(kv[0]) else { return "?" }
            if kv.count > 1 && text(kv[1]) == nil { return name.isEmpty ? "?" : String(name.prefix(60)) }
        }
        return nil
    }

    /// A urlencoded name or value: "+" is a space, "%XX" a byte, and the bytes must be UTF-8; nil otherwise (a
    /// "%" without two hex digits, or bytes that are not UTF-8), as Foundation's `removingPercentEncoding` says,
    /// in one pass over the bytes (perf: the two Foundation passes were 4 % of an autosave's time).
    static func percentDecoded(_ text: Substring) -> String? {
        let bytes = text.utf8
        guard bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                let h = bytes.index(after: i)
                guard h != bytes.endIndex, bytes.index(after: h) != bytes.endIndex,
                      let high = hex(bytes[h]), let low = hex(bytes[bytes.index(after: h)]) else { return nil }
                out.append(high << 4 | low)
                i = bytes.index(after: h)
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return String(validating: out, as: UTF8.self)
    }
}

extension Request {
    /// The urlencoded form of this request (its body was collected by the CSRF middleware).
    func formValues() -> FormValues {
        guard let buffer = body.data else { return FormValues() }
        return FormValues.parse(urlEncoded: String(buffer: buffer))
    }
}

/// Problems found in a form, each tied to its field so the page shows it in the summary and beside the field.
struct FormErrors: Sendable {
    struct Item: Sendable {
        let field: String
        let key: String
        let args: [String]
    }

    private(set) var items: [Item] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func add(_ field: String, _ key: String, _ args: String...) {
        guard !items.contains(where: { $0.field == field }) else { return }
        items.append(Item(field: field, key: key, args: args))
    }

    mutating func add(_ field: String, _ key: String, arguments: [String]) {
        guard !items.contains(where: { $0.field == field }) else { return }
        items.append(Item(field: field, key: key, args: arguments))
    }

    func item(for field: String) -> Item? { items.first { $0.field == field } }
}

struct FormOption: Encodable, Sendable {
    let value: String
    let label: String
    let selected: Bool
    let id: String
}

struct FormField: Encodable, Sendable {
    let name: String
    let id: String
    let type: String
    let label: String
    let hint: String?
    let value: String
    let error: String?
    let options: [FormOption]
    let optional: Bool
    let autocomplete: String?
    let maxLength: Int?
    let rows: Int?
    let inputmode: String?
    let width: String?
    /// The ids the control is described by (hint, error), for aria-describedby.
    let describedBy: String?
}

struct FormSection: Encodable, Sendable {
    let legend: String?
    let fields: [FormField]
}

struct ErrorSummaryItem: Encodable, Sendable {
    let href: String
    let message: String
}

/// A form ready for `components/form.leaf`: sections of fields, the error summary, the submit button.
struct FormView: Encodable, Sendable {
    let action: String
    /// "post" for forms that change something (with the CSRF token); "get" for filters, whose results have
    /// an address of their own.
    let method: String
    let submit: String
    let sections: [FormSection]
    let errors: [ErrorSummaryItem]
    let hasErrors: Bool
}

/// Builds the fields of a form with their labels, hints, values and errors in the request's language.
struct FormBuilder {
    let req: Request
    let values: FormValues
    let errors: FormErrors
    private(set) var sections: [FormSection] = []
    private var current: [FormField] = []
    private var legend: String?

    init(_ req: Request, values: FormValues, errors: FormErrors) {
        self.req = req
        self.values = values
        self.errors = errors
    }

    mutating func section(_ legendKey: String?) {
        flush()
        legend = legendKey.map { req.t($0) }
    }

    private mutating func flush() {
        if !current.isEmpty || legend != nil { sections.append(FormSection(legend: legend, fields: current)) }
        current = []
        legend = nil
    }

    private func errorText(_ name: String) -> String? {
        errors.item(for: name).map { req.application.catalogue.text($0.key, req.language, $0.args) }
    }

    private func fieldID(_ name: String) -> String {
        "f-" + name.replacingOccurrences(of: "[]", with: "").replacingOccurrences(of: "_", with: "-")
    }

    private mutating func add(
        _ name: String, type: String, label: String, hint: String?, options: [FormOption] = [], optional: Bool,
        autocomplete: String?, maxLength: Int?, rows: Int? = nil, inputmode: String? = nil, width: String? = nil,
        value: String? = nil
    ) {
        let id = fieldID(name)
        let hintText = hint.map { req.t($0) }
        let error = errorText(name)
        var described: [String] = []
        if hintText != nil { described.append(id + "-hint") }
        if error != nil { described.append(id + "-error") }
        current.append(FormField(
            name: name, id: id, type: type, label: req.t(label), hint: hintText, value: value ?? values[name],
            error: error, options: options, optional: optional, autocomplete: autocomplete, maxLength: maxLength,
            rows: rows, inputmode: inputmode, width: width,
            describedBy: described.isEmpty ? nil : described.joined(separator: " ")))
    }

    mutating func text(
        _ name: String, _ label: String, hint: String? = nil, optional: Bool = false, type: String = "text",
        autocomplete: String? = nil, maxLength: Int = 200, inputmode: String? = nil, width: String? = nil
    ) {
        add(name, type: type, label: label, hint: hint, optional: optional, autocomplete: autocomplete,
            maxLength: maxLength, inputmode: inputmode, width: width)
    }

    mutating func password(_ name: String, _ label: String, hint: String? = nil, autocomplete: String) {
        add(name, type: "password", label: label, hint: hint, optional: false, autocomplete: autocomplete,
            maxLength: PasswordPolicy.maximumLength, value: "")
    }

    mutating func textarea(_ name: String, _ label: String, hint: String? = nil, optional: Bool = false, maxLength: Int = 4000, rows: Int = 5) {
        add(name, type: "textarea", label: label, hint: hint, optional: optional, autocomplete: nil,
            maxLength: maxLength, rows: rows)
    }

    /// A select, radios or checkboxes; options are (value, catalogue key or text).
    mutating func choice(
        _ name: String, _ label: String, type: String, options: [(String, String)], hint: String? = nil,
        optional: Bool = false, translateOptions: Bool = true
    ) {
        let chosen = Set(values.all(name))
        let opts = options.enumerated().map { i, o in
            FormOption(value: o.0, label: translateOptions ? req.t(o.1) : o.1, selected: chosen.contains(o.0),
                       id: fieldID(name) + (i == 0 ? "" : "-\(i)"))
        }
        add(name, type: type, label: label, hint: hint, options: opts, optional: optional, autocomplete: nil, maxLength: nil)
    }

    mutating func checkbox(_ name: String, _ label: String, hint: String? = nil) {
        let opt = FormOption(value: "yes", label: req.t(label), selected: values.isChecked(name), id: fieldID(name))
        add(name, type: "checkbox", label: label, hint: hint, options: [opt], optional: true, autocomplete: nil, maxLength: nil)
    }

    mutating func build(action: String, submit: String, method: String = "post") -> FormView {
        flush()
        let summary = errors.items.map { item in
            ErrorSummaryItem(href: "#" + fieldID(item.field),
                             message: req.application.catalogue.text(item.key, req.language, item.args))
        }
        return FormView(action: action, method: method, submit: req.t(submit), sections: sections, errors: summary, hasErrors: !summary.isEmpty)
    }
}

/// Shared field checks that add the field's message to `errors`.
extension FormErrors {
    mutating func required(_ values: FormValues, _ name: String, max: Int = 200) {
        let v = values[name]
        if v.isEmpty { add(name, "error.required") } else if v.count > max { add(name, "error.too_long", String(max)) }
    }

    mutating func optional(_ values: FormValues, _ name: String, max: Int = 200) {
        if values[name].count > max { add(name, "error.too_long", String(max)) }
    }

    mutating func email(_ values: FormValues, _ name: String, required: Bool = true) {
        let v = values[name]
        if v.isEmpty { if required { add(name, "error.required") } } else if !TextRules.isEmail(v) { add(name, "error.email") }
    }

    mutating func phone(_ values: FormValues, _ name: String, required: Bool) {
        let v = values[name]
        if v.isEmpty { if required { add(name, "error.required") } } else if !TextRules.isPhone(v) { add(name, "error.phone") }
    }
}
