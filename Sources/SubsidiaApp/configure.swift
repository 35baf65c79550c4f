import Fluent
import Foundation
import Leaf
import SubsidiaCore
import Vapor

/// Sets up one application: database, migrations, templates, languages, middleware, routes, commands.
/// It reads no environment itself: everything comes in through `config`.
public func configure(_ app: Application, config: AppConfig, clock: any SubsidiaCore.Clock = SystemClock()) async throws {
    app.subsidiaConfig = config
    app.clock = clock
    let root = ResourceLocator.root(app)
    app.directory = DirectoryConfiguration(workingDirectory: root)

    try DatabaseSetup.configure(app, config)
    app.migrations.add(M001_Platform())
    app.migrations.add(M002_Applications())
    app.migrations.add(M003_GrantedIndex())
    app.migrations.add(M004_Instruction())
    app.migrations.add(M005_Letters())
    app.migrations.add(M006_SearchDocuments())
    app.migrations.add(M007_QueueLookup())
    app.migrations.add(M008_SectionSaves())
    app.migrations.add(M009_SearchKeys())
    app.migrations.add(M010_QueueOrder())
    app.migrations.add(M011_GrantedSums())
    app.migrations.add(M012_SectionSavesPostgres())
    app.migrations.add(M013_EditGuards())
    // bcrypt's cost: 12 in service; tests use the minimum so hundreds of logins stay fast.
    app.passwords.use(.bcrypt(cost: app.environment == .testing ? 4 : 12))

    _ = app.writeGate  // created before the first request, read only afterwards
    _ = app.commitGroup
    app.uploadSlots = UploadSlots()
    app.catalogue = try Catalogue.load(from: root + "Resources/Locales")
    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["csrf"] = CSRFFieldTag()
    if let port = config.port { app.http.server.configuration.port = port }
    app.routes.defaultMaxBodySize = "1mb"

    // Browsers do not compress what they send, and nor do the API's clients: no decompressor looks at every request.
    app.http.server.configuration.requestDecompression = .disabled
    // No metrics backend is set up (swift-metrics' default discards everything), so Vapor's counter and timer per
    // request, with the route's path rebuilt as a string for their labels, were work for nothing.
    app.http.server.configuration.reportMetrics = false

    // Outermost first: the language is known before anything else runs, headers go on every response and errors
    // become pages inside them, so that error pages carry the same headers.
    app.middleware = Middlewares()
    app.inFlight = InFlight()
    app.middleware.use(InFlightMiddleware(inFlight: app.inFlight))
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(secure: config.secureCookies))
    app.middleware.use(ErrorPageMiddleware())

    try routes(app)
    // Static files skip the session and its database read; what is not a file is the router's 404.
    app.grouped(StaticFilesMiddleware(files: FileMiddleware(publicDirectory: root + "Public/", defaultFile: nil)))
        .get("static", "**") { _ -> Response in throw Abort(.notFound) }

    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(CreateUserCommand(), as: "create-user")
    app.asyncCommands.use(BenchDataCommand(), as: "bench-data")
    app.lifecycle.use(SessionPurge())
}

/// Finds the folder that holds Resources/ and Public/: the working directory when started from the
/// package, else the package this file was compiled in (tests run from other folders too).
enum ResourceLocator {
    static func root(_ app: Application) -> String {
        let cwd = DirectoryConfiguration.detect().workingDirectory
        let fm = FileManager.default
        if fm.fileExists(atPath: cwd + "Resources/Locales/fr.json") { return cwd }
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return here.path.hasSuffix("/") ? here.path : here.path + "/"
    }
}

/// Migrates, prepares SQLite, and loads the demo on an empty database (what `serve` does before listening).
public enum Startup {
    public static func prepare(_ app: Application, announce: Bool) async throws {
        try await DatabaseSetup.prepareSQLite(app)
        // A new database has no migrations table yet.
        let before = (try? await app.store.appliedMigrations()) ?? 0
        try await app.autoMigrate()
        if app.subsidiaConfig.loadDemo, try await User.query(on: app.db).count() == 0 { try await DemoData.load(app) }
        // Statistics for every table when the schema changed; otherwise only what drifted (a full ANALYZE reads
        // the whole file: 1.3 s at 100,000 applications, at every start).
        let migrated = try await app.store.appliedMigrations() != before
        try await DatabaseSetup.refreshStatistics(app.db, full: migrated)
        guard app.subsidiaConfig.loadDemo else { return }
        if announce { announceDemo(app) }
    }

    static func announceDemo(_ app: Application) {
        var lines = ["Demo logins (password \(DemoData.password)):"]
        for u in DemoData.users { lines.append("  \(u.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(u.email)") }
        print(lines.joined(separator: "\n"))
    }
}

/// Deletes expired sessions and used or expired tokens every ten minutes, and keeps SQLite's query-planner
/// statistics fresh.
struct SessionPurge: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard app.environment != .testing else { return }
        let task = Task {
            while true {
                // A cancelled sleep throws: stop before touching a database that is shutting down.
                do { try await Task.sleep(for: .seconds(600)) } catch { return }
                if Task.isCancelled { return }
                try? await SessionPurge.run(app)
            }
        }
        app.storage[TaskKey.self] = task
    }

    func shutdownAsync(_ app: Application) async {
        guard let task = app.storage[TaskKey.self] else { return }
        task.cancel()
        await task.value
    }

    struct TaskKey: StorageKey { typealias Value = Task<Void, Never> }

    static func run(_ app: Application) async throws {
        let now = app.clock.now()
        try await app.store.write(.notAudited(because: "expired sessions and tokens")) { tx in
            try await tx.query(StoredSession.self).group(.or) {
                $0.filter(\.$expiresAt < now).filter(\.$lastSeenAt < now - Lifetimes.sessionIdle)
            }.delete()
            try await tx.query(UserToken.self).filter(\.$expiresAt < now).delete()
        }
        try await DatabaseSetup.refreshStatistics(app.db, full: false)
    }
}
