import Fluent
import Foundation
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

@Suite("Accounts: register, confirm, log in, throttle, passwords, CSRF")
struct AccountsTests {
    @Test("Register, confirm by the mailed link, then log in; the session id changes at login")
    func registerConfirmLogin() async throws {
        try await withSubsidia { app, _ in
            let b = Browser(app)
            try await b.get("/register")
            let anonymousSession = b.cookies[SessionCookie.name]
            #expect(anonymousSession != nil)
            let res = try await b.post("/register", [("name", "Léa Muller"), ("email", "Lea@Commune.lu"),
                                                     ("password", "a long enough phrase"), ("password_confirm", "a long enough phrase")])
            #expect(res.status == .ok)
            #expect(res.text.contains("lea@commune.lu"))
            // Not confirmed yet: login is refused with a clear message.
            try await b.get("/login")
            var login = try await b.post("/login", [("email", "lea@commune.lu"), ("password", "a long enough phrase")])
            #expect(login.status == .forbidden)
            #expect(login.text.contains("Confirmez d'abord votre adresse e-mail"))
            let mail = try #require(try await mails(app, to: "lea@commune.lu").first)
            let confirm = try #require(link(in: mail.body))
            #expect(try await b.get(confirm).status == .seeOther)
            // The link is single use.
            #expect(try await b.get(confirm).status == .gone)
            try await b.get("/login")
            login = try await b.post("/login", [("email", "lea@commune.lu"), ("password", "a long enough phrase"), ("next", "/organisations")])
            #expect(login.status == .seeOther)
            #expect(login.location == "/organisations")
            #expect(b.cookies[SessionCookie.name] != anonymousSession)
            let cookie = try #require(login.headers.first(name: .setCookie))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            #expect(try await b.get("/account").text.contains("Léa Muller"))
            let audit = try await AuditEvent.query(on: app.db).all().map(\.action)
            #expect(audit.contains("user.registered") && audit.contains("user.email_confirmed") && audit.contains("user.login"))
        }
    }

    @Test("Registration errors keep the values and name each field; an existing email is not revealed")
    func registerErrors() async throws {
        try await withSubsidia { app, _ in
            let b = Browser(app)
            try await b.get("/register")
            let res = try await b.post("/register", [("name", "Léa"), ("email", "not-an-email"), ("password", "short"), ("password_confirm", "x")])
            #expect(res.status == .unprocessableEntity)
            let html = res.text
            #expect(html.contains("<title>Erreur : "))
            #expect(html.contains("Il y a un problème"))
            #expect(html.contains("href=\"#f-email\""))
            #expect(html.contains("value=\"Léa\""))
            #expect(html.contains("au moins 12 caractères"))
            try await makeUser(app, "taken@commune.lu")
            try await b.get("/register")
            let again = try await b.post("/register", [("name", "X"), ("email", "taken@commune.lu"),
                                                       ("password", "another long phrase"), ("password_confirm", "another long phrase")])
            #expect(again.status == .ok)
            #expect(try await mails(app, to: "taken@commune.lu").first?.kind == "already_registered")
            #expect(try await User.query(on: app.db).filter(\.$email == "taken@commune.lu").count() == 1)
        }
    }

    @Test("A form without its CSRF token, or with another, is refused and changes nothing")
    func csrf() async throws {
        try await withSubsidia { app, _ in
            let b = Browser(app)
            try await b.get("/register")
            let none = try await b.post("/register", [("name", "X"), ("email", "x@y.lu"), ("password", "a long enough phrase"),
                                                      ("password_confirm", "a long enough phrase")], csrf: "")
            #expect(none.status == .forbidden)
            #expect(none.text.contains("Le formulaire a expiré"))
            let wrong = try await b.post("/register", [("name", "X"), ("email", "x@y.lu"), ("password", "a long enough phrase"),
                                                       ("password_confirm", "a long enough phrase")], csrf: "forged")
            #expect(wrong.status == .forbidden)
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }

    @Test("Failed logins are throttled per account with a clear message, then allowed again")
    func throttling() async throws {
        try await withSubsidia { app, clock in
            try await makeUser(app, "anna@asbl.lu")
            let b = Browser(app)
            for _ in 0..<5 {
                try await b.get("/login")
                let r = try await b.post("/login", [("email", "anna@asbl.lu"), ("password", "wrong password here")])
                #expect(r.status == .unauthorized)
                #expect(r.text.contains("Adresse e-mail ou mot de passe incorrect"))
            }
            try await b.get("/login")
            let locked = try await b.post("/login", [("email", "anna@asbl.lu"), ("password", DemoData.password)])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.text.contains("Trop de tentatives de connexion ont échoué"))
            clock.advance(by: 16 * 60)
            try await b.login("anna@asbl.lu")
        }
    }

    @Test("Failed logins from one address slow it down, and never refuse an account's right password (one office, one proxy)")
    func addressThrottling() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "real@asbl.lu")
            let b = Browser(app)
            for i in 0..<20 {
                try await b.get("/login")
                try await b.post("/login", [("email", "guess\(i)@asbl.lu"), ("password", "wrong password here")])
            }
            try await b.get("/login")
            let clock = ContinuousClock()
            let started = clock.now
            #expect(try await b.post("/login", [("email", "real@asbl.lu"), ("password", DemoData.password)]).status == .seeOther)
            // The address is past its limit: the attempt waited before it was checked.
            #expect(clock.now - started >= LoginThrottle.addressDelay)
        }
    }

    @Test("Failed logins sent together are each counted: five reach the password check against one account, none is lost")
    func throttlingAtOnce() async throws {
        // Four connections per event loop, as in service: on PostgreSQL the logins' statements run side by side.
        try await withSubsidia(connections: 4) { app, _ in
            try await makeUser(app, "bruno@asbl.lu")
            func failures(_ prefix: String) async throws -> [Int] {
                try await LoginThrottleRecord.query(on: app.db).all()
                    .filter { $0.id?.hasPrefix(prefix) == true }.map(\.failures)
            }
            // Twelve guesses at one account at once: five are checked and fail, seven are refused unchecked.
            let limit = LoginThrottle.perAccount.limit
            let statuses = try await wrongPasswordsAtOnce(app, Array(repeating: "bruno@asbl.lu", count: 12))
            #expect(statuses.filter { $0 == .unauthorized }.count == limit)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 12 - limit)
            #expect(try await failures("account:") == [limit])
            #expect(try await failures("address:") == [limit])
            // The right password is refused now, and counts nothing more.
            let b = Browser(app)
            try await b.get("/login")
            let right = try await b.post("/login", [("email", "bruno@asbl.lu"), ("password", DemoData.password)])
            #expect(right.status == .tooManyRequests)
            #expect(try await failures("account:") == [limit])
            // Twelve guesses at twelve accounts at once, from the same address: each failure counted against it.
            let spread = try await wrongPasswordsAtOnce(app, (0..<12).map { "guess\($0)@asbl.lu" })
            #expect(spread.allSatisfy { $0 == .unauthorized })
            #expect(try await failures("address:") == [limit + 12])
        }
    }

    @Test("Failed logins sent together once the window has ended: the window starts again once, then each is counted")
    func throttlingAtOnceNewWindow() async throws {
        try await withSubsidia(connections: 4) { app, clock in
            try await makeUser(app, "carla@asbl.lu")
            #expect(try await wrongPasswordsAtOnce(app, ["carla@asbl.lu"]) == [.unauthorized])
            clock.advance(by: LoginThrottle.perAccount.window + 60)
            // Six at once: each reads the row of one failure in a window that has ended. Only one may start the
            // window again; the others count on from it, and the sixth is refused.
            let statuses = try await wrongPasswordsAtOnce(app, Array(repeating: "carla@asbl.lu", count: 6))
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 1)
            let record = try #require(try await LoginThrottleRecord.find("account:carla@asbl.lu", on: app.db))
            #expect(record.failures == 5 && record.windowStart == clock.now())
        }
    }

    /// A wrong password sent at once for each of `emails`, each from a browser of its own that opened the login
    /// page first; the answers' statuses, in the order they came.
    private func wrongPasswordsAtOnce(_ app: Application, _ emails: [String]) async throws -> [HTTPStatus] {
        var browsers: [Browser] = []
        for _ in emails {
            let b = Browser(app)
            try await b.get("/login")
            browsers.append(b)
        }
        return try await withThrowingTaskGroup(of: HTTPStatus.self) { tasks in
            for (b, email) in zip(browsers, emails) {
                tasks.addTask {
                    try await b.post("/login", [("email", email), ("password", "wrong password here")]).status
                }
            }
            var all: [HTTPStatus] = []
            for try await status in tasks { all.append(status) }
            return all
        }
    }

    @Test("A failed login counted on a row that another request changed meanwhile writes nothing, and is tried again")
    func throttleCompareAndSet() async throws {
        try await withSubsidia { app, clock in
            let policy = LoginThrottle.perAccount
            let t0 = clock.now()
            func row(_ key: String) async throws -> LoginThrottle.Record? {
                try await LoginThrottles.read(key, on: app.store)
            }
            func count(_ key: String, on read: LoginThrottle.Record?) async throws -> Bool {
                try await LoginThrottles.count(key, policy, now: clock.now(), on: read, store: app.store)
            }
            // The first failure: a second request that also found no row does not insert one.
            #expect(try await count("a", on: nil))
            #expect(try await count("a", on: nil) == false)
            let one = try #require(try await row("a"))
            #expect(one == .init(failures: 1, windowStart: t0, lastFailure: t0))
            // One more: a second request that read the same count does not write it.
            #expect(try await count("a", on: one))
            #expect(try await count("a", on: one) == false)
            #expect(try await row("a")?.failures == 2)
            // Once the window has ended, the first request starts it again; a second one that read the same row,
            // now gone, does not start it once more over the first's failure, though the count is again 1.
            #expect(try await count("b", on: nil))
            let old = try #require(try await row("b"))
            clock.advance(by: policy.window + 60)
            #expect(try await count("b", on: old))
            let restarted = try #require(try await row("b"))
            #expect(restarted == .init(failures: 1, windowStart: clock.now(), lastFailure: clock.now()))
            #expect(try await count("b", on: old) == false)
            #expect(try await row("b") == restarted)
            // Read again, the second request counts on from the first.
            #expect(try await count("b", on: restarted))
            #expect(try await row("b")?.failures == 2)
        }
    }

    @Test("Forgotten password: the link works once and expires after an hour; other sessions end")
    func reset() async throws {
        try await withSubsidia { app, clock in
            try await makeUser(app, "paul@commune.lu")
            let other = Browser(app)
            try await other.login("paul@commune.lu")
            let b = Browser(app)
            try await b.get("/password/forgot")
            #expect(try await b.post("/password/forgot", [("email", "paul@commune.lu")]).status == .ok)
            // An unknown address gets the same answer and no mail.
            try await b.get("/password/forgot")
            #expect(try await b.post("/password/forgot", [("email", "nobody@commune.lu")]).status == .ok)
            #expect(try await mails(app, to: "nobody@commune.lu").isEmpty)
            let pathMail = try #require(try await mails(app, to: "paul@commune.lu").last)
            let path = try #require(link(in: pathMail.body))
            #expect(try await b.get(path).status == .ok)
            let mismatch = try await b.post(path, [("password", "a brand new phrase"), ("password_confirm", "different phrase!!")])
            #expect(mismatch.status == .unprocessableEntity)
            #expect(try await b.post(path, [("password", "a brand new phrase"), ("password_confirm", "a brand new phrase")]).status == .seeOther)
            #expect(try await b.get(path).status == .gone)
            #expect(try await other.get("/account").status == .seeOther)
            try await b.login("paul@commune.lu", "a brand new phrase")

            try await b.get("/password/forgot")
            try await b.post("/password/forgot", [("email", "paul@commune.lu")])
            let lateMail = try #require(try await mails(app, to: "paul@commune.lu").last)
            let late = try #require(link(in: lateMail.body))
            clock.advance(by: 3_601)
            #expect(try await b.get(late).status == .gone)
        }
    }

    @Test("Change password needs the current one and keeps this session")
    func changePassword() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "eva@commune.lu")
            let b = Browser(app)
            try await b.login("eva@commune.lu")
            try await b.get("/account/password")
            let wrong = try await b.post("/account/password", [("current_password", "not it at all"), ("password", "a brand new phrase"),
                                                               ("password_confirm", "a brand new phrase")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("Le mot de passe actuel n'est pas correct"))
            try await b.post("/account/password", [("current_password", DemoData.password), ("password", "a brand new phrase"),
                                                   ("password_confirm", "a brand new phrase")])
            #expect(try await b.get("/account").status == .ok)
            try await b.post("/logout", [])
            #expect(try await b.get("/account").status == .seeOther)
            try await Browser(app).login("eva@commune.lu", "a brand new phrase")
        }
    }

    @Test("Idle sessions expire; the purge deletes them")
    func idleSessions() async throws {
        try await withSubsidia { app, clock in
            try await makeUser(app, "idle@commune.lu")
            let b = Browser(app)
            try await b.login("idle@commune.lu")
            #expect(try await b.get("/account").status == .ok)
            clock.advance(by: Lifetimes.sessionIdle + 1)
            let res = try await b.get("/account")
            #expect(res.status == .seeOther)
            #expect(res.location.hasPrefix("/login?next="))
            try await SessionPurge.run(app)
            #expect(try await StoredSession.query(on: app.db).filter(\.$user.$id != nil).count() == 0)
        }
    }

    @Test("Language: French by default, Accept-Language, the switcher for this browser, the account's language by POST only")
    func language() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "lang@commune.lu")
            let b = Browser(app)
            #expect(try await b.get("/").text.contains("<html lang=\"fr\""))
            b.acceptLanguage = "de-LU,de;q=0.9"
            #expect(try await b.get("/").text.contains("Projektaufrufe"))
            let switched = try await b.get("/language/en?next=/calls/timetable")
            #expect(switched.location == "/calls/timetable")
            #expect(try await b.get("/").text.contains("Calls for projects"))
            try await b.login("lang@commune.lu")
            // A GET changes this browser only: another browser of the same account stays in French.
            try await b.get("/language/de?next=/")
            #expect(try await b.get("/account").text.contains("Mein Konto"))
            let fresh = Browser(app)
            try await fresh.login("lang@commune.lu")
            #expect(try await fresh.get("/account").text.contains("Mon compte"))
            // The account's language (letters, mails) changes by POST, with the token.
            #expect(try await b.post("/account/language", [("language", "de"), ("next", "/account")]).location == "/account")
            let third = Browser(app)
            try await third.login("lang@commune.lu")
            #expect(try await third.get("/account").text.contains("Mein Konto"))
            // An outside address is never a redirect target.
            #expect(try await b.get("/language/fr?next=//evil.example").location == "/")
        }
    }
}
