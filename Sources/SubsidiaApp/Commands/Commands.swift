import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// `subsidia migrate`: applies every pending migration, without asking (safe to run at each deploy).
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }
    var help: String { "Applies pending database migrations." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await DatabaseSetup.prepareSQLite(context.application)
        try await context.application.autoMigrate()
        context.console.print("Migrations applied (\(context.application.subsidiaConfig.database.kind)).")
    }
}

/// `subsidia demo`: loads the demo data; running it again changes nothing.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }
    var help: String { "Loads the demo data (idempotent)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepareSQLite(app)
        try await app.autoMigrate()
        try await DemoData.load(app)
        Startup.announceDemo(app)
    }
}

/// `subsidia create-user --email … --name … --role …`: the password is read from standard input,
/// or generated and printed when standard input is empty or a terminal.
struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The user's email address") var email: String?
        @Option(name: "name", help: "The user's full name") var name: String?
        @Option(name: "role", help: "applicant, officer, evaluator, finance or admin") var role: String?
        init() {}
    }

    var help: String { "Creates a confirmed user; reads the password from standard input or generates one." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let rawEmail = signature.email, TextRules.isEmail(TextRules.normalisedEmail(rawEmail)) else {
            throw Failure(description: "--email is required and must be an email address")
        }
        guard let name = signature.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 120 else {
            throw Failure(description: "--name is required (at most 120 characters)")
        }
        guard let roleText = signature.role, let role = UserRole(rawValue: roleText) else {
            throw Failure(description: "--role must be one of: " + UserRole.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let email = TextRules.normalisedEmail(rawEmail)
        var password = isatty(STDIN_FILENO) == 0 ? (readLine(strippingNewline: true) ?? "") : ""
        var generated = false
        if password.isEmpty {
            password = Tokens.random().prefix(20).description
            generated = true
        }
        do { try PasswordPolicy.check(password, email: email) } catch {
            throw Failure(description: "the password is too short or too long (\(PasswordPolicy.minimumLength)–\(PasswordPolicy.maximumLength) characters)")
        }
        try await DatabaseSetup.prepareSQLite(app)
        try await app.autoMigrate()
        if try await User.query(on: app.db).filter(\.$email == email).count() > 0 {
            throw Failure(description: "a user with the email \(email) exists already")
        }
        let hash = try await app.password.async.hash(password)
        try await app.db.transaction { db in
            let user = User(email: email, name: name, passwordHash: hash, role: role, confirmedAt: app.clock.now())
            try await user.create(on: db)
            let event = AuditEvent()
            event.occurredAt = app.clock.now()
            event.action = "user.created_cli"
            event.entityType = "user"
            event.entityID = user.id?.uuidString
            event.summary = "\(email) \(role.rawValue)"
            try await event.create(on: db)
        }
        context.console.print("Created \(role.rawValue) \(email).")
        if generated { context.console.print("Generated password: \(password)") }
    }
}
