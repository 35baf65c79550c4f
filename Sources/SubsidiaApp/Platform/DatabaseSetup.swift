import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    static func configure(_ app: Application, _ config: AppConfig) throws {
        switch config.database {
        case .sqliteMemory:
            // A throw-away database is a temporary file that Fluent's connections and the direct ones (`LiteStore`)
            // open alike, removed when the application stops.
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("subsidia-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).sqlite").path
            useSQLite(app, path: path, throwAway: true)
        case .sqliteFile(let path):
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            useSQLite(app, path: path, throwAway: false)
        case .postgres(let url, let searchPath):
            var pg = try SQLPostgresConfiguration(url: url)
            if let searchPath { pg.searchPath = [searchPath] }
            app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: config.connectionsPerLoop,
                                        sqlLogLevel: .debug), as: .psql)
        }
    }

    /// Fluent's connections and the direct ones (`LiteStore`) on the file at `path`.
    private static func useSQLite(_ app: Application, path: String, throwAway: Bool) {
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
        app.liteStore = LiteStore(path: path)
        app.lifecycle.use(LiteStoreLifecycle(removeFiles: throwAway))
    }

    /// WAL journal (a property of the file), then on every connection: foreign keys, a busy timeout, and
    /// room to read a large file without a system call per page (a 64 MB page cache and 256 MB of memory
    /// mapping; measured: a third of the queue's time went to copying pages out of the kernel). The driver
    /// keeps one connection per event loop, so each loop's connection is set up through that loop.
    static func prepareSQLite(_ app: Application) async throws {
        guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        // The throw-away database too: its file is shared with the direct connections, and WAL keeps their reads
        // from waiting on a write.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        for loop in app.eventLoopGroup.makeIterator() {
            guard let connection = app.databases.database(logger: app.logger, on: loop) as? any SQLDatabase else { continue }
            for pragma in LiteConnection.pragmas {
                try await connection.raw("PRAGMA \(unsafeRaw: pragma)").run()
            }
        }
    }

    /// SQLite plans queries from the statistics ANALYZE gathers; without them it cannot tell a partial index of
    /// a few hundred granted applications from an index over all 100,000 of a call, and picked the latter for the
    /// sums of every cap check (measured: the task list fell from 209 to 13 pages/s on the benchmark data).
    /// `full` gathers them for every table (after migrations, after `bench-data`); otherwise `PRAGMA optimize`
    /// refreshes only what changed much (the hourly maintenance). PostgreSQL's autovacuum does this itself.
    static func refreshStatistics(_ db: any Database, full: Bool) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw(full ? "ANALYZE" : "PRAGMA optimize").run()
    }

    static func isPostgres(_ db: any Database) -> Bool {
        (db as? any SQLDatabase)?.dialect.name == "postgresql"
    }
}
