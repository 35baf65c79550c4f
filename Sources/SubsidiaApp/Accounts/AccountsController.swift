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

    static func renderRegister(_ req: Request, values: FormValues, errors: FormErrors) async throws -> Response {
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

        let existing = try await req.store.query(User.self).filter(\.$email == email).first()
        let now = req.now
        let base = req.application.subsidiaConfig.baseURL
        if let existing {
            // Same answer as a new registration, so the page does not reveal who has an account.
            try await req.store.write(.notAudited(because: "a mail to the account's owner, nothing of theirs changed")) { tx in
                try await tx.enqueueMail(
                    to: email, userID: existing.id, subject: req.t("mail.already_registered.subject"),
                    body: req.t("mail.already_registered.body", existing.name, base + "/login", base + "/password/forgot"),
                    kind: "already_registered", now: now)
            }
        } else {
            let hash = try await req.password.async.hash(v["password"])
            let token = Tokens.random()
            try await req.store.write { tx in
                let user = User(email: email, name: v["name"], passwordHash: hash, role: .applicant, confirmedAt: nil)
                user.language = req.language.rawValue
                try await tx.create(user)
                try await tx.create(UserToken(userID: user.storedID, purpose: .confirmEmail, tokenHash: Tokens.hash(token),
                                              expiresAt: now + Lifetimes.emailConfirmation))
                try await tx.enqueueMail(
                    to: email, userID: user.id, subject: req.t("mail.confirm.subject"),
                    body: req.t("mail.confirm.body", user.name, base + "/confirm/" + token), kind: "confirm_email",
                    now: now)
                try await tx.audit("user.registered", entity: "user", id: user.id, summary: email, by: req, actor: user)
            }
        }
        return try await req.render("accounts/message", title: "account.check_email_title",
                                    MessagePage(heading: req.t("account.check_email_title"),
                                                paragraphs: [req.t("account.check_email_body", email)]))
    }

    static func confirm(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let now = req.now
        guard let record = try await req.store.query(UserToken.self)
            .filter(\.$tokenHash == Tokens.hash(token)).filter(\.$purpose == UserToken.Purpose.confirmEmail.rawValue)
            .with(\.$user).first(), record.usedAt == nil, record.expiresAt > now else {
            return try await req.render("accounts/message", title: "account.link_invalid_title",
                                        MessagePage(heading: req.t("account.link_invalid_title"),
                                                    paragraphs: [req.t("account.link_invalid_body")]), status: .gone)
        }
        try await req.store.write { tx in
            record.usedAt = now
            try await tx.update(record)
            let user = record.user
            if user.emailConfirmedAt == nil {
                user.emailConfirmedAt = now
                try await tx.update(user)
            }
            try await tx.audit("user.email_confirmed", entity: "user", id: user.id, by: req, actor: user)
        }
        return try await req.redirect("/login", flash: "account.confirmed")
    }

    // MARK: Login

    static func loginForm(_ req: Request) async throws -> Response {
        var v = FormValues()
        v["next"] = safeNext(try? req.query.get(String.self, at: "next"))
        return try await renderLogin(req, values: v, errors: FormErrors())
    }

    static func renderLogin(_ req: Request, values: FormValues, errors: FormErrors, status: HTTPStatus? = nil) async throws -> Response {
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
        if LoginThrottle.perAddress.lockedUntil(try await LoginThrottles.read(addressKey, on: req.store), now: now) != nil {
            try await Task.sleep(for: LoginThrottle.addressDelay)
        }
        if let until = try await LoginThrottles.count(accountKey, .perAccount, now: now, unlessLocked: true, req: req) {
            errors.add("email", "account.throttled", DateText.time(until))
            return try await renderLogin(req, values: v, errors: errors, status: .tooManyRequests)
        }

        let user = try await req.store.query(User.self).filter(\.$email == email).first()
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
            try await req.store.write { tx in
                try await tx.audit("user.login_failed", entity: "user", id: userID, summary: email, by: req)
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
        try await req.store.write { tx in
            try await tx.audit("user.login", entity: "user", id: user.id, by: req, actor: user)
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
            try await req.store.write { tx in try await tx.audit("user.logout", entity: "user", id: user.id, by: req) }
        }
        try await req.endSession()
        return req.redirect(to: "/", redirectType: .normal)
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
