import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Registration, email confirmation, login and logout, forgotten and changed passwords, the account page.
enum AccountsController {
    // MARK: Register

    static func registerForm(_ req: Request) async throws -> Response {
        try await renderRegister(req, values: FormValues(), errors: FormErrors())
    }

    private static func renderRegister(_ req: Request, values: FormValues, errors: FormErrors) async throws -> Response {
        var f = FormBuilder(req, values: values, errors: errors)
        f.text("name", "account.name", autocomplete: "name", maxLength: 120)
        f.text("email", "account.email", hint: "account.email_hint", type: "email", autocomplete: "email", maxLength: 254)
        f.password("password", "account.password", hint: "account.password_hint", autocomplete: "new-password")
        f.password("password_confirm", "account.password_confirm", autocomplete: "new-password")
        let form = f.build(action: "/register", submit: "account.register_submit")
        return try await req.render("accounts/form", title: "account.register_title",
                                    FormPage(heading: req.t("account.register_title"), intro: req.t("account.register_intro"), form: form),
                                    errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity, hasForm: true)
    }

    static func register(_ req: Request) async throws -> Response {
        let v = req.formValues()
        var errors = FormErrors()
        errors.required(v, "name", max: 120)
        errors.email(v, "email")
        let email = TextRules.normalisedEmail(v["email"])
        checkNewPassword(v, email: email, errors: &errors)
        guard errors.isEmpty else { return try await renderRegister(req, values: v, errors: errors) }

        let existing = try await User.query(on: req.db).filter(\.$email == email).first()
        let now = req.now
        let base = req.application.subsidiaConfig.baseURL
        if let existing {
            // Same answer as a new registration, so the page does not reveal who has an account.
            try await Mailer.enqueue(
                to: email, userID: existing.id, subject: req.t("mail.already_registered.subject"),
                body: req.t("mail.already_registered.body", existing.name, base + "/login", base + "/password/forgot"),
                kind: "already_registered", now: now, on: req.db)
        } else {
            let hash = try await req.password.async.hash(v["password"])
            let token = Tokens.random()
            try await req.transaction { db in
                let user = User(email: email, name: v["name"], passwordHash: hash, role: .applicant, confirmedAt: nil)
                user.language = req.language.rawValue
                try await user.create(on: db)
                try await UserToken(userID: user.id!, purpose: .confirmEmail, tokenHash: Tokens.hash(token),
                                    expiresAt: now + Lifetimes.emailConfirmation).create(on: db)
                try await Mailer.enqueue(
                    to: email, userID: user.id, subject: req.t("mail.confirm.subject"),
                    body: req.t("mail.confirm.body", user.name, base + "/confirm/" + token), kind: "confirm_email",
                    now: now, on: db)
                try await Audit.record("user.registered", entity: "user", id: user.id, summary: email, by: req, on: db, actor: user)
            }
        }
        return try await req.render("accounts/message", title: "account.check_email_title",
                                    MessagePage(heading: req.t("account.check_email_title"),
                                                paragraphs: [req.t("account.check_email_body", email)]))
    }

    static func confirm(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let now = req.now
        guard let record = try await UserToken.query(on: req.db)
            .filter(\.$tokenHash == Tokens.hash(token)).filter(\.$purpose == UserToken.Purpose.confirmEmail.rawValue)
            .with(\.$user).first(), record.usedAt == nil, record.expiresAt > now else {
            return try await req.render("accounts/message", title: "account.link_invalid_title",
                                        MessagePage(heading: req.t("account.link_invalid_title"),
                                                    paragraphs: [req.t("account.link_invalid_body")]), status: .gone)
        }
        try await req.transaction { db in
            record.usedAt = now
            try await record.update(on: db)
            let user = record.user
            if user.emailConfirmedAt == nil {
                user.emailConfirmedAt = now
                try await user.update(on: db)
            }
            try await Audit.record("user.email_confirmed", entity: "user", id: user.id, by: req, on: db, actor: user)
        }
        return try await req.redirect("/login", flash: "account.confirmed")
    }

    // MARK: Login

    static func loginForm(_ req: Request) async throws -> Response {
        var v = FormValues()
        v["next"] = safeNext(try? req.query.get(String.self, at: "next"))
        return try await renderLogin(req, values: v, errors: FormErrors())
    }

    private static func renderLogin(_ req: Request, values: FormValues, errors: FormErrors, status: HTTPStatus? = nil) async throws -> Response {
        var f = FormBuilder(req, values: values, errors: errors)
        f.text("email", "account.email", type: "email", autocomplete: "email", maxLength: 254)
        f.password("password", "account.password", autocomplete: "current-password")
        let form = f.build(action: "/login", submit: "account.login_submit")
        return try await req.render("accounts/login", title: "account.login_title",
                                    LoginPage(form: form, next: values["next"]),
                                    errors: !errors.isEmpty, status: status ?? (errors.isEmpty ? .ok : .unprocessableEntity),
                                    hasForm: true)
    }

    static func login(_ req: Request) async throws -> Response {
        let v = req.formValues()
        let email = TextRules.normalisedEmail(v["email"])
        let address = req.clientAddress
        let now = req.now
        var errors = FormErrors()
        if email.isEmpty { errors.add("email", "error.required") }
        if v["password"].isEmpty { errors.add("password", "error.required") }
        guard errors.isEmpty else { return try await renderLogin(req, values: v, errors: errors) }

        // Throttling: the attempt is counted against the account before the password is checked, so that guesses
        // sent together cannot all pass the check before any failure is recorded; the right password clears it.
        // Against the address, only failures count (the people of one office log in from one address), and an
        // address past its limit is slowed, never closed: the account's owner still logs in with the right
        // password, whatever other accounts' failures came from the same office or proxy.
        let accountKey = "account:" + email
        let addressKey = "address:" + address
        if LoginThrottle.perAddress.lockedUntil(try await LoginThrottles.read(addressKey, on: req.db), now: now) != nil {
            try await Task.sleep(for: LoginThrottle.addressDelay)
        }
        if let until = try await LoginThrottles.count(accountKey, .perAccount, now: now, unlessLocked: true, req: req) {
            errors.add("email", "account.throttled", DateText.time(until))
            return try await renderLogin(req, values: v, errors: errors, status: .tooManyRequests)
        }

        let user = try await User.query(on: req.db).filter(\.$email == email).first()
        var verified = false
        if let user {
            verified = try await req.password.async.verify(v["password"], created: user.passwordHash)
        } else {
            // Spend the same time as a real check, so timing does not reveal which emails have accounts.
            _ = try? await req.password.async.verify(v["password"], created: Self.dummyHash)
        }
        guard let user, verified else {
            _ = try await LoginThrottles.count(addressKey, .perAddress, now: now, unlessLocked: false, req: req)
            let userID = user?.id
            try await req.transaction { db in
                try await Audit.record("user.login_failed", entity: "user", id: userID, summary: email, by: req, on: db)
            }
            errors.add("email", "account.login_failed")
            return try await renderLogin(req, values: v, errors: errors, status: .unauthorized)
        }
        try await LoginThrottles.clear(accountKey, req: req)
        guard user.isActive else {
            errors.add("email", "account.deactivated")
            return try await renderLogin(req, values: v, errors: errors, status: .forbidden)
        }
        guard user.emailConfirmedAt != nil else {
            errors.add("email", "account.not_confirmed")
            return try await renderLogin(req, values: v, errors: errors, status: .forbidden)
        }
        try await req.transaction { db in
            try await Audit.record("user.login", entity: "user", id: user.id, by: req, on: db, actor: user)
        }
        let pending = try await PendingPost.take(req)
        try await req.startSession(user: user)
        if let pending { try await PendingPost.put(pending, req) }
        return req.redirect(to: safeNext(v["next"]) == "/" ? "/account" : safeNext(v["next"]), redirectType: .normal)
    }

    /// A bcrypt hash of a random string, used to spend equal time on unknown emails.
    static let dummyHash: String = (try? Bcrypt.hash("subsidia-timing-equaliser", cost: 12)) ?? ""

    static func logout(_ req: Request) async throws -> Response {
        if let user = req.currentUser {
            try await Audit.record("user.logout", entity: "user", id: user.id, by: req, on: req.db)
        }
        try await req.endSession()
        return req.redirect(to: "/", redirectType: .normal)
    }

    // MARK: Passwords

    static func forgotForm(_ req: Request) async throws -> Response {
        try await renderForgot(req, values: FormValues(), errors: FormErrors())
    }

    private static func renderForgot(_ req: Request, values: FormValues, errors: FormErrors) async throws -> Response {
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
        if let user = try await User.query(on: req.db).filter(\.$email == email).first(), user.isActive {
            let token = Tokens.random()
            let link = req.application.subsidiaConfig.baseURL + "/password/reset/" + token
            try await req.transaction { db in
                try await UserToken(userID: user.id!, purpose: .resetPassword, tokenHash: Tokens.hash(token),
                                    expiresAt: now + Lifetimes.passwordReset).create(on: db)
                try await Mailer.enqueue(to: email, userID: user.id, subject: req.t("mail.reset.subject"),
                                         body: req.t("mail.reset.body", user.name, link), kind: "reset_password",
                                         now: now, on: db)
                try await Audit.record("user.reset_requested", entity: "user", id: user.id, by: req, on: db, actor: user)
            }
        }
        return try await req.render("accounts/message", title: "account.check_email_title",
                                    MessagePage(heading: req.t("account.check_email_title"),
                                                paragraphs: [req.t("account.reset_sent", email)]))
    }

    private static func validResetToken(_ req: Request) async throws -> UserToken? {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await UserToken.query(on: req.db)
            .filter(\.$tokenHash == Tokens.hash(token)).filter(\.$purpose == UserToken.Purpose.resetPassword.rawValue)
            .with(\.$user).first(), record.usedAt == nil, record.expiresAt > req.now, record.user.isActive else { return nil }
        return record
    }

    private static func invalidLink(_ req: Request) async throws -> Response {
        try await req.render("accounts/message", title: "account.link_invalid_title",
                             MessagePage(heading: req.t("account.link_invalid_title"),
                                         paragraphs: [req.t("account.reset_invalid_body")]), status: .gone)
    }

    static func resetForm(_ req: Request) async throws -> Response {
        guard try await validResetToken(req) != nil else { return try await invalidLink(req) }
        return try await renderReset(req, errors: FormErrors())
    }

    private static func renderReset(_ req: Request, errors: FormErrors) async throws -> Response {
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
        try await req.transaction { db in
            token.usedAt = now
            try await token.update(on: db)
            let user = token.user
            user.passwordHash = hash
            // A reset link also proves the address.
            if user.emailConfirmedAt == nil { user.emailConfirmedAt = now }
            try await user.update(on: db)
            try await StoredSession.query(on: db).filter(\.$user.$id == user.id!).delete()
            try await AccessTokens.revokeAll(of: user.id!, at: now, on: db)
            try await Audit.record("user.password_reset", entity: "user", id: user.id, by: req, on: db, actor: user)
        }
        return try await req.redirect("/login", flash: "account.password_reset_done")
    }

    static func changePasswordForm(_ req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await renderChange(req, errors: FormErrors())
    }

    private static func renderChange(_ req: Request, errors: FormErrors) async throws -> Response {
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
        try await req.transaction { db in
            user.passwordHash = hash
            try await user.update(on: db)
            // Every other session of this user ends; this one is replaced below.
            try await StoredSession.query(on: db).filter(\.$user.$id == user.id!).delete()
            try await AccessTokens.revokeAll(of: user.id!, at: now, on: db)
            try await Audit.record("user.password_changed", entity: "user", id: user.id, by: req, on: db)
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
        let memberships = try await Membership.query(on: req.db).filter(\.$user.$id == user.id!)
            .with(\.$organisation).all()
        let paging = Paging(req, size: 10)
        let query = OutboxMessage.query(on: req.db).group(.or) {
            $0.filter(\.$userID == user.id).filter(\.$toEmail == user.email)
        }
        let total = try await query.count()
        let messages = try await query.sort(\.$createdAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let page = AccountPage(
            name: user.name, email: user.email, role: req.t("role." + user.role),
            organisations: memberships.map {
                .init(href: "/organisations/\($0.organisation.id!)", name: $0.organisation.legalName, role: req.t("membership." + $0.role))
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
            try await req.transaction { db in
                try await user.update(on: db)
                try await Audit.record("user.language_changed", entity: "user", id: user.id, summary: lang.rawValue, by: req, on: db)
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

struct FormPage: Encodable, Sendable {
    let heading: String
    let intro: String?
    let form: FormView
}

struct LoginPage: Encodable, Sendable {
    let form: FormView
    let next: String
}

struct MessagePage: Encodable, Sendable {
    let heading: String
    let paragraphs: [String]
}
