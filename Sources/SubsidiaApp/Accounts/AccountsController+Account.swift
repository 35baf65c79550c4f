import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Passwords (forgotten, reset, changed) and the account page with its messages and language.
extension AccountsController {
    // MARK: Passwords

    static func forgotForm(_ req: Request) async throws -> Response {
        try await renderForgot(req, values: FormValues(), errors: FormErrors())
    }

    static func renderForgot(_ req: Request, values: FormValues, errors: FormErrors) async throws -> Response {
        var f = FormBuilder(req, values: values, errors: errors)
        f.text("email", "account.email", type: "email", autocomplete: "email", maxLength: 254)
        let form = f.build(action: "/password/forgot", submit: "account.forgot_submit")
        return try await req.render("accounts/form", title: "account.forgot_title",
                                    FormPage(heading: req.t("account.forgot_title"), intro: req.t("account.forgot_intro"), form: form),
                                    errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity, hasForm: true)
    }

    static func forgot(_ req: Request) async throws -> Response {
        let v = req.formValues()
        var errors = FormErrors()
        errors.email(v, "email")
        guard errors.isEmpty else { return try await renderForgot(req, values: v, errors: errors) }
        let email = TextRules.normalisedEmail(v["email"])
        let now = req.now
        if let user = try await req.store.query(User.self).filter(\.$email == email).first(), user.isActive {
            let token = Tokens.random()
            let link = req.application.subsidiaConfig.baseURL + "/password/reset/" + token
            try await req.store.write { tx in
                try await tx.create(UserToken(userID: user.storedID, purpose: .resetPassword, tokenHash: Tokens.hash(token),
                                              expiresAt: now + Lifetimes.passwordReset))
                try await tx.enqueueMail(to: email, userID: user.id, subject: req.t("mail.reset.subject"),
                                         body: req.t("mail.reset.body", user.name, link), kind: "reset_password",
                                         now: now)
                try await tx.audit("user.reset_requested", entity: "user", id: user.id, by: req, actor: user)
            }
        }
        return try await req.render("accounts/message", title: "account.check_email_title",
                                    MessagePage(heading: req.t("account.check_email_title"),
                                                paragraphs: [req.t("account.reset_sent", email)]))
    }

    static func validResetToken(_ req: Request) async throws -> UserToken? {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await req.store.query(UserToken.self)
            .filter(\.$tokenHash == Tokens.hash(token)).filter(\.$purpose == UserToken.Purpose.resetPassword.rawValue)
            .with(\.$user).first(), record.usedAt == nil, record.expiresAt > req.now, record.user.isActive else { return nil }
        return record
    }

    static func invalidLink(_ req: Request) async throws -> Response {
        try await req.render("accounts/message", title: "account.link_invalid_title",
                             MessagePage(heading: req.t("account.link_invalid_title"),
                                         paragraphs: [req.t("account.reset_invalid_body")]), status: .gone)
    }

    static func resetForm(_ req: Request) async throws -> Response {
        guard try await validResetToken(req) != nil else { return try await invalidLink(req) }
        return try await renderReset(req, errors: FormErrors())
    }

    static func renderReset(_ req: Request, errors: FormErrors) async throws -> Response {
        var f = FormBuilder(req, values: FormValues(), errors: errors)
        f.password("password", "account.new_password", hint: "account.password_hint", autocomplete: "new-password")
        f.password("password_confirm", "account.password_confirm", autocomplete: "new-password")
        let form = f.build(action: req.url.path, submit: "account.reset_submit")
        return try await req.render("accounts/form", title: "account.reset_title",
                                    FormPage(heading: req.t("account.reset_title"), intro: nil, form: form),
                                    errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity, hasForm: true)
    }

    static func reset(_ req: Request) async throws -> Response {
        guard let token = try await validResetToken(req) else { return try await invalidLink(req) }
        let v = req.formValues()
        var errors = FormErrors()
        checkNewPassword(v, email: token.user.email, errors: &errors)
        guard errors.isEmpty else { return try await renderReset(req, errors: errors) }
        let hash = try await req.password.async.hash(v["password"])
        let now = req.now
        try await req.store.write { tx in
            token.usedAt = now
            try await tx.update(token)
            let user = token.user
            user.passwordHash = hash
            // A reset link also proves the address.
            if user.emailConfirmedAt == nil { user.emailConfirmedAt = now }
            try await tx.update(user)
            try await tx.query(StoredSession.self).filter(\.$user.$id == user.storedID).delete()
            try await AccessTokens.revokeAll(of: user.storedID, at: now, on: tx)
            try await tx.audit("user.password_reset", entity: "user", id: user.id, by: req, actor: user)
        }
        return try await req.redirect("/login", flash: "account.password_reset_done")
    }

    static func changePasswordForm(_ req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await renderChange(req, errors: FormErrors())
    }

    static func renderChange(_ req: Request, errors: FormErrors) async throws -> Response {
        var f = FormBuilder(req, values: FormValues(), errors: errors)
        f.password("current_password", "account.current_password", autocomplete: "current-password")
        f.password("password", "account.new_password", hint: "account.password_hint", autocomplete: "new-password")
        f.password("password_confirm", "account.password_confirm", autocomplete: "new-password")
        let form = f.build(action: "/account/password", submit: "account.change_submit")
        return try await req.render("accounts/form", title: "account.change_title",
                                    FormPage(heading: req.t("account.change_title"), intro: nil, form: form),
                                    errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func changePassword(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let v = req.formValues()
        var errors = FormErrors()
        if v["current_password"].isEmpty { errors.add("current_password", "error.required") }
        else if try await !req.password.async.verify(v["current_password"], created: user.passwordHash) {
            errors.add("current_password", "account.current_password_wrong")
        }
        checkNewPassword(v, email: user.email, errors: &errors)
        guard errors.isEmpty else { return try await renderChange(req, errors: errors) }
        let hash = try await req.password.async.hash(v["password"])
        let now = req.now
        try await req.store.write { tx in
            user.passwordHash = hash
            try await tx.update(user)
            // Every other session of this user ends; this one is replaced below.
            try await tx.query(StoredSession.self).filter(\.$user.$id == user.storedID).delete()
            try await AccessTokens.revokeAll(of: user.storedID, at: now, on: tx)
            try await tx.audit("user.password_changed", entity: "user", id: user.id, by: req)
        }
        req.browserSession = nil
        try await req.startSession(user: user)
        return try await req.redirect("/account", flash: "account.password_changed")
    }

    static func checkNewPassword(_ v: FormValues, email: String, errors: inout FormErrors) {
        do {
            try PasswordPolicy.check(v["password"], email: email)
            if v["password"] != v["password_confirm"] { errors.add("password_confirm", "account.password_mismatch") }
        } catch {
            switch error {
            case .tooShort: errors.add("password", "account.password_too_short", String(PasswordPolicy.minimumLength))
            case .tooLong: errors.add("password", "error.too_long", String(PasswordPolicy.maximumLength))
            case .sameAsEmail: errors.add("password", "account.password_is_email")
            }
        }
    }

    // MARK: Account page, messages, language

    struct AccountPage: Encodable, Sendable {
        struct Org: Encodable, Sendable {
            let href: String
            let name: String
            let role: String
        }

        struct Message: Encodable, Sendable {
            let subject: String
            let date: String
            let body: String
        }

        let name: String
        let email: String
        let role: String
        let organisations: [Org]
        let messages: [Message]
        let paging: Paging.View
        /// The account's language (letters and mails), changed by POST.
        let languages: [FormOption]
    }

    static func account(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let memberships = try await req.store.query(Membership.self).filter(\.$user.$id == user.storedID)
            .with(\.$organisation).all()
        let paging = Paging(req, size: 10)
        let query = req.store.query(OutboxMessage.self).group(.or) {
            $0.filter(\.$userID == user.id).filter(\.$toEmail == user.email)
        }
        let total = try await query.count()
        let messages = try await query.sort(\.$createdAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let page = AccountPage(
            name: user.name, email: user.email, role: req.t("role." + user.role),
            organisations: try memberships.map {
                .init(href: "/organisations/\(try $0.organisation.storedID)", name: $0.organisation.legalName, role: req.t("membership." + $0.role))
            },
            messages: messages.map { .init(subject: $0.subject, date: req.dateTime($0.createdAt), body: $0.body) },
            paging: paging.view(total: total, req: req),
            languages: Language.allCases.map {
                FormOption(value: $0.rawValue, label: req.application.catalogue.text("language.name", $0),
                           selected: (user.language ?? Language.fr.rawValue) == $0.rawValue, id: "language-" + $0.rawValue)
            })
        return try await req.render("accounts/account", title: "account.title", page)
    }

    /// The language links (GET): this browser's cookie only. A GET changes nothing stored: the account's
    /// language, which decision letters use, changes by POST (`saveLanguage`, the account page's form).
    static func setLanguage(_ req: Request) async throws -> Response {
        guard let lang = Language(rawValue: req.parameters.get("code") ?? "") else { throw Abort(.notFound) }
        return languageCookie(lang, redirect: safeNext(try? req.query.get(String.self, at: "next")), req: req)
    }

    /// The account's language (POST, with the CSRF token), and this browser's cookie.
    static func saveLanguage(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let lang = Language(rawValue: req.formValues()["language"]) else { throw Abort(.unprocessableEntity) }
        if user.language != lang.rawValue {
            user.language = lang.rawValue
            try await req.store.write { tx in
                try await tx.update(user)
                try await tx.audit("user.language_changed", entity: "user", id: user.id, summary: lang.rawValue, by: req)
            }
        }
        return languageCookie(lang, redirect: safeNext(req.formValues()["next"]), req: req)
    }

    static func languageCookie(_ lang: Language, redirect next: String, req: Request) -> Response {
        let response = req.redirect(to: next, redirectType: .normal)
        response.cookies["lang"] = HTTPCookies.Value(
            string: lang.rawValue, maxAge: 365 * 86_400, path: "/",
            isSecure: req.application.subsidiaConfig.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }
}
