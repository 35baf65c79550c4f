import Foundation
import Leaf
import SubsidiaCore
import Vapor

/// The language catalogues (`Resources/Locales/{fr,en,de}.json`): flat key → sentence, with `{0}`, `{1}`
/// for values. Loaded once at start; a missing key falls back to French, then shows the key itself.
public struct Catalogue: Sendable {
    public let entries: [Language: [String: String]]

    public init(entries: [Language: [String: String]]) { self.entries = entries }

    public static func load(from directory: String) throws -> Catalogue {
        var entries: [Language: [String: String]] = [:]
        for lang in Language.allCases {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("\(lang.rawValue).json")
            let data = try Data(contentsOf: url)
            entries[lang] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return Catalogue(entries: entries)
    }

    public func text(_ key: String, _ language: Language, _ args: [String] = []) -> String {
        let s = entries[language]?[key] ?? entries[.fr]?[key] ?? key
        return args.isEmpty ? s : Self.fill(s, args)
    }

    /// Puts `args[n]` in place of each "{n}" of `template`, in one pass: an argument is never read again, so a
    /// "{1}" typed in a title stays as typed. A placeholder without its argument stays as it is.
    static func fill(_ template: String, _ args: [String]) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let digits = rest[rest.index(after: open)...].prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, digits.endIndex < rest.endIndex, rest[digits.endIndex] == "}", let n = Int(digits), n < args.count {
                out += args[n]
                rest = rest[rest.index(after: digits.endIndex)...]
            } else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        out += rest
        return out
    }

    /// Keys present in one language and missing in another (a test keeps this empty).
    public func missingKeys() -> [Language: [String]] {
        let all = Set(entries.values.flatMap(\.keys))
        var out: [Language: [String]] = [:]
        for lang in Language.allCases {
            let missing = all.subtracting(entries[lang].map { Array($0.keys) } ?? []).sorted()
            if !missing.isEmpty { out[lang] = missing }
        }
        return out
    }
}

extension Application {
    private struct CatalogueKey: StorageKey { typealias Value = Catalogue }
    public var catalogue: Catalogue {
        get { storage[CatalogueKey.self] ?? Catalogue(entries: [:]) }
        set { storage[CatalogueKey.self] = newValue }
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// The language of this request: the signed-in user's choice, else the `lang` cookie, else the browser's
    /// Accept-Language, else French.
    public var language: Language {
        get { storage[LanguageKey.self] ?? .fr }
        set { storage[LanguageKey.self] = newValue }
    }

    func t(_ key: String, _ args: String...) -> String {
        application.catalogue.text(key, language, args)
    }

    func money(_ m: Money) -> String { MoneyFormatter.format(m, language: language) }
    func date(_ d: CalendarDate) -> String { DateText.date(d, language) }
    func dateTime(_ d: Date) -> String { DateText.dateTime(d, language) }
}

/// Sets `req.language` before any handler runs. The user's stored choice is applied later, by the session
/// middleware, once the user is known.
/// Future-based, as the other middlewares on every request (see `SecurityHeadersMiddleware`).
struct LanguageMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let cookie = request.cookieValue("lang"), let lang = Language(rawValue: cookie) {
            request.language = lang
        } else if let lang = Language.negotiate(acceptLanguage: request.headers.first(name: .acceptLanguage)) {
            request.language = lang
        }
        return next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: .contentLanguage, value: request.language.rawValue)
            return response
        }
    }
}

/// `#t("key")` or `#t("key", value1, value2)` in templates: the sentence in the request's language.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#t() needs a key")
        }
        guard let request = ctx.request else { return .string(key) }
        let args = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(request.application.catalogue.text(key, request.language, Array(args)))
    }
}

/// `#csrf()`: the hidden CSRF field of the request's session, for forms rendered inside a component
/// whose context is the form alone.
struct CSRFFieldTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let token = ctx.request?.browserSession?.csrfToken ?? ""
        // The token is base64url: it never needs escaping.
        return .string("<input type=\"hidden\" name=\"_csrf\" value=\"\(token)\">")
    }
}
