import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// What the layout needs on every page; the feature's own data sits beside it as `c`.
struct PageMeta: Encodable, Sendable {
    struct LanguageLink: Encodable, Sendable {
        let code: String
        let name: String
        let href: String
        let current: Bool
    }

    struct NavLink: Encodable, Sendable {
        let href: String
        let label: String
        let current: Bool
    }

    let lang: String
    let title: String
    let hasErrors: Bool
    let csrf: String
    let path: String
    let userName: String?
    let languages: [LanguageLink]
    let nav: [NavLink]
    let flash: String?
}

struct Page<Content: Encodable & Sendable>: Encodable, Sendable {
    let meta: PageMeta
    let c: Content
}

struct Empty: Encodable, Sendable {}

extension Request {
    /// Renders a page in the layout. `title` is a catalogue key or an already translated text.
    /// `hasForm` starts a session for a visitor who has none, for the form's CSRF token; other pages
    /// create nothing, so reading public pages writes nothing to the database.
    func render<C: Encodable & Sendable>(
        _ template: String, title: String, _ content: C, errors: Bool = false, status: HTTPStatus = .ok,
        hasForm: Bool = false
    ) async throws -> Response {
        let session = hasForm ? try await ensureSession() : browserSession
        var flash: String?
        if let session, let key = session.flash {
            flash = t(key)
            session.flash = nil
            try await store.write(.notAudited(because: "a session's message, shown")) { tx in
                try await tx.query(StoredSession.self).filter(\.$id == session.id).set(\.$flash, to: nil).update()
            }
        }
        let here = url.path
        let query = url.query.map { "?" + $0 } ?? ""
        let nextParam = (here + query).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
        let langs = Language.allCases.map { l in
            PageMeta.LanguageLink(
                code: l.rawValue, name: application.catalogue.text("language.name", l),
                href: "/language/\(l.rawValue)?next=\(nextParam)", current: l == language)
        }
        let translatedTitle = t(title)
        let meta = PageMeta(
            lang: language.rawValue,
            title: errors ? t("error.title_prefix") + translatedTitle : translatedTitle,
            hasErrors: errors, csrf: session?.csrfToken ?? "", path: here, userName: currentUser?.name,
            languages: langs, nav: navigation(current: here), flash: flash)
        let view = try await self.view.render(template, Page(meta: meta, c: content)).get()
        let response = Response(status: status)
        response.headers.contentType = .html
        response.body = .init(buffer: view.data)
        return response
    }

    private func navigation(current: String) -> [PageMeta.NavLink] {
        var links: [(String, String)] = [("/", "nav.home"), ("/calls/timetable", "nav.timetable")]
        if let user = currentUser {
            links.append(("/account", "nav.account"))
            if user.userRole == .applicant {
                links.append(("/applications", "nav.applications"))
                links.append(("/organisations", "nav.organisations"))
            }
            if user.userRole.managesCalls {
                links.append(("/staff/applications", "nav.staff_applications"))
                links.append(("/staff/calls", "nav.staff_calls"))
            }
            if user.userRole == .evaluator { links.append(("/evaluations", "nav.evaluations")) }
            if user.userRole == .admin { links.append(("/admin/users", "nav.admin")) }
        } else {
            links.append(("/login", "nav.login"))
            links.append(("/register", "nav.register"))
        }
        return links.map { href, key in
            PageMeta.NavLink(href: href, label: t(key), current: href == "/" ? current == "/" : current.hasPrefix(href))
        }
    }

    func redirect(_ path: String, flash key: String? = nil) async throws -> Response {
        if let key { try await flash(key) }
        return redirect(to: path, redirectType: .normal)
    }
}

/// A local path to come back to after login or a language change; anything else becomes "/".
func safeNext(_ raw: String?) -> String { LocalPath.safe(raw) }

extension Response {
    /// A PDF to download, kept out of shared caches.
    static func pdf(_ bytes: [UInt8], filename: String) -> Response {
        let r = Response(status: .ok, body: .init(data: Data(bytes)))
        r.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename.filter { $0.isASCII && $0 != "\"" })\"")
        r.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return r
    }
}

/// A form page with its heading, the version it edits and whether someone saved in between (organisations, calls).
struct EditPage: Encodable, Sendable {
    let heading: String
    let form: FormView
    let version: String
    let conflict: Bool
}
