import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    static func configure(_ app: Application, _ choice: AppConfig.DatabaseChoice) throws {
        switch choice {
        case .sqliteMemory:
            app.databases.use(.sqlite(.memory, sqlLogLevel: .debug), as: .sqlite)
        case .sqliteFile(let path):
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
        case .postgres(let url, let searchPath):
            var config = try SQLPostgresConfiguration(url: url)
            if let searchPath { config.searchPath = [searchPath] }
            app.databases.use(.postgres(configuration: config, sqlLogLevel: .debug), as: .psql)
        }
    }

    /// WAL journal and foreign keys on every SQLite connection (foreign keys are per connection).
    static func prepareSQLite(_ app: Application) async throws {
        guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        if case .sqliteFile = app.subsidiaConfig.database {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
        try await sql.raw("PRAGMA foreign_keys=ON").run()
        try await sql.raw("PRAGMA busy_timeout=5000").run()
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
