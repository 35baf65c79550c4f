import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import SQLKit
import Vapor
// The SQLite library that sqlite-nio compiles in, reached through the module it vendors: the process must hold one
// copy of SQLite, since two copies on one file break each other's POSIX locks.
import VaporCSQLite

/// Direct connections to the embedded database for the hottest paths (sessions, reads by key, group commits): statements
/// compiled once, reads on the calling thread, writes on one thread of their own; nil on PostgreSQL. Why, with the
/// measures: bench/RESULTS.md, "Why the embedded fast paths".
final class LiteStore: Sendable {
    let path: String
    /// Reader connections not in use. A reader is taken for one synchronous read and put back, so there are never
    /// more than the threads that read at once.
    private let idle = NIOLockedValueBox<[LiteConnection]>([])
    private let writer: NIOLockedValueBox<LiteConnection?> = .init(nil)
    private let writerThread: NIOThreadPool
    /// Checkpoints of the WAL, on a thread and a connection of their own (see `checkpoint()`).
    private let checkpointThread: NIOThreadPool
    private let checkpointer: NIOLockedValueBox<LiteConnection?> = .init(nil)
    /// Set by each commit of the writer, cleared by the checkpoint that follows it.
    private let written = NIOLockedValueBox(false)
    private let checkpointLoop: NIOLockedValueBox<Task<Void, Never>?> = .init(nil)

    /// The writer's own settings: savepoint journals in memory, and no checkpoint at commit (the checkpointer does it
    /// beside it); see bench/RESULTS.md, "Why the embedded fast paths".
    static let writerPragmas = ["temp_store=MEMORY", "wal_autocheckpoint=0"]

    /// How often the checkpointer looks for committed writes to copy into the database file.
    static let checkpointInterval: Duration = .milliseconds(100)

    init(path: String) {
        self.path = path
        writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
        checkpointThread = NIOThreadPool(numberOfThreads: 1)
        checkpointThread.start()
        let loop = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.checkpointInterval)
                if Task.isCancelled { break }
                try? await checkpoint()
            }
        }
        checkpointLoop.withLockedValue { $0 = loop }
    }

    /// Copies what the writer committed since the last checkpoint from the WAL into the database file (PASSIVE:
    /// it never waits for readers or the writer, and what it cannot copy yet is copied by the next one). The WAL
    /// stays small (about 100 ms of writes) and SQLite starts it again from the top once everything is copied.
    func checkpoint() async throws {
        guard written.withLockedValue({ w in defer { w = false }; return w }) else { return }
        try await checkpointThread.runIfActive { [self] in
            try opened(checkpointer).execute("PRAGMA wal_checkpoint(PASSIVE)")
        }
    }

    /// Runs `body` with a reader connection on the calling thread. Keep it to reads by key: the thread waits.
    func read<T>(_ body: (LiteConnection) throws -> T) throws -> T {
        let connection = try idle.withLockedValue { $0.popLast() } ?? LiteConnection(path: path)
        defer { idle.withLockedValue { $0.append(connection) } }
        return try body(connection)
    }

    /// Runs `body` on the writer connection, on the writer's own thread. Callers hold the process's write gate.
    func write<T: Sendable>(_ body: @escaping @Sendable (LiteConnection) throws -> T) async throws -> T {
        try await writerThread.runIfActive { [self] in
            let connection = try opened(writer, pragmas: Self.writerPragmas)
            defer { written.withLockedValue { $0 = true } }
            return try body(connection)
        }
    }

    /// The connection kept in `slot`, opened (with `pragmas`) on first use.
    private func opened(_ slot: NIOLockedValueBox<LiteConnection?>, pragmas: [String] = []) throws -> LiteConnection {
        try slot.withLockedValue { kept in
            if let kept { return kept }
            let connection = try LiteConnection(path: path)
            for pragma in pragmas { try connection.execute("PRAGMA " + pragma) }
            kept = connection
            return connection
        }
    }

    func shutdown() async {
        let loop = checkpointLoop.withLockedValue { l in defer { l = nil }; return l }
        loop?.cancel()
        await loop?.value
        try? await writerThread.shutdownGracefully()
        writer.withLockedValue { $0?.close(); $0 = nil }
        // What the writer committed last is copied into the database file now.
        written.withLockedValue { $0 = true }
        try? await checkpoint()
        try? await checkpointThread.shutdownGracefully()
        checkpointer.withLockedValue { $0?.close(); $0 = nil }
        idle.withLockedValue { all in
            for c in all { c.close() }
            all.removeAll()
        }
    }
}

/// A value bound to or read from SQLite, stored as the Fluent driver stores it: UUIDs as their text, dates as
/// seconds since 1970 (REAL), booleans as 0 or 1.
enum LiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    init(_ uuid: UUID) { self = .text(uuid.uuidString) }
    init(_ date: Date) { self = .real(date.timeIntervalSince1970) }
    init(_ text: String?) { self = text.map(LiteValue.text) ?? .null }
    init(_ number: Int) { self = .integer(Int64(number)) }

    /// As sqlite-nio binds the value (what SQLKit's binds become on SQLite).
    init(_ data: SQLiteData) {
        switch data {
        case .null: self = .null
        case .integer(let n): self = .integer(Int64(n))
        case .float(let d): self = .real(d)
        case .text(let t): self = .text(t)
        case .blob(let b): self = .blob(Array(b.readableBytesView))
        }
    }

    /// As sqlite-nio hands the value to its decoders (what Fluent and SQLKit read on SQLite).
    var sqliteData: SQLiteData {
        switch self {
        case .null: .null
        case .integer(let n): .integer(Int(n))
        case .real(let d): .float(d)
        case .text(let t): .text(t)
        case .blob(let b): .blob(ByteBuffer(bytes: b))
        }
    }

    var text: String? { if case .text(let t) = self { t } else { nil } }
    var uuid: UUID? { text.flatMap(UUID.init(uuidString:)) }
    var bool: Bool? { if case .integer(let n) = self { n != 0 } else { nil } }

    var integer: Int64? {
        switch self {
        case .integer(let n): n
        case .real(let d): Int64(exactly: d)
        default: nil
        }
    }

    /// As the driver reads a date: rounded to the microsecond since 2001, so that dates read here and through Fluent
    /// compare equal (the call cache compares stamps).
    var date: Date? {
        let seconds: Double
        switch self {
        case .real(let d): seconds = d
        case .integer(let n): seconds = Double(n)
        default: return nil
        }
        let sinceReference = seconds - Date.timeIntervalBetween1970AndReferenceDate
        return Date(timeIntervalSinceReferenceDate: (sinceReference * 1e6).rounded() / 1e6)
    }
}

struct LiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "SQLite error \(code): \(message)" }

    /// What a stale write raises (optimistic locking), from M008's trigger or from a statement that must change a row.
    static let conflictMarker = "subsidia:conflict"
    var isConflict: Bool { message.contains(Self.conflictMarker) }
}

/// One statement of a write that `CommitGroup` runs: its SQL with `?` placeholders and its values. When
/// `mustChangeRow` is set and it changes no row, the write it belongs to is undone as a conflict.
struct LiteStatement: Sendable {
    let sql: String
    let values: [LiteValue]
    let mustChangeRow: Bool

    init(sql: String, values: [LiteValue], mustChangeRow: Bool = false) {
        self.sql = sql
        self.values = values
        self.mustChangeRow = mustChangeRow
    }

    /// A SQLKit query as SQLite runs it: serialised by `sql` (SQLite's dialect), its binds encoded as the driver does.
    init(_ query: SQLQueryString, on sql: any SQLDatabase, mustChangeRow: Bool = false) throws {
        let (text, data) = try SQLiteReads.serialize(query, on: sql)
        self.init(sql: text, values: data.map(LiteValue.init), mustChangeRow: mustChangeRow)
    }
}

/// A row with its columns' names, decoded as the SQLite driver decodes its rows (`SQLiteDataDecoder`), so that a
/// Fluent model (`decode(fluentModel:)`) or a `Decodable` row built from it equals one read through Fluent or SQLKit.
struct LiteRow: SQLRow {
    let columns: LiteColumns
    let values: [LiteValue]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.index[column] != nil }
    func decodeNil(column: String) throws -> Bool { value(column) == .null }
    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        try Self.decoder.decode(D.self, from: value(column).sqliteData)
    }

    private func value(_ column: String) -> LiteValue { columns.index[column].map { values[$0] } ?? .null }
}

/// The column names of a statement's rows, read once per compiled statement and shared by its rows.
final class LiteColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One SQLite connection with its compiled statements, used by one thread at a time (`LiteStore` hands it out).
final class LiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private var columns: [String: LiteColumns] = [:]

    /// The pragmas every connection of the process sets (`DatabaseSetup.prepareSQLite` sets them on Fluent's).
    static let pragmas = [
        "foreign_keys=ON", "busy_timeout=5000", "cache_size=-65536", "mmap_size=268435456",
        "journal_size_limit=67108864",
    ]

    init(path: String) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        var db: OpaquePointer?
        let opened = sqlite_nio_sqlite3_open_v2(path, &db, flags, nil)
        guard opened == SQLITE_OK, let db else {
            let message = db.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open \(path)"
            sqlite_nio_sqlite3_close(db)
            throw LiteError(code: opened, message: message)
        }
        handle = db
        for pragma in Self.pragmas { try execute("PRAGMA " + pragma) }
    }

    deinit { close() }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
        columns.removeAll()
        if let handle { sqlite_nio_sqlite3_close(handle) }
        handle = nil
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite_nio_sqlite3_changes(handle)) }

    /// True outside a transaction (SQLite rolls a transaction back by itself after some errors).
    var isAutocommit: Bool { sqlite_nio_sqlite3_get_autocommit(handle) != 0 }

    /// Runs a statement without binds or rows, compiled each time (BEGIN, COMMIT, PRAGMA).
    func execute(_ sql: String) throws {
        let ret = sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil)
        guard ret == SQLITE_OK else { throw error(ret) }
    }

    /// Runs `sql` (compiled once, kept) with `binds` and returns its rows, each its columns in order.
    @discardableResult
    func rows(_ sql: String, _ binds: [LiteValue] = []) throws -> [[LiteValue]] {
        let statement = try prepared(sql)
        // Every parameter is bound on every run, so the last run's values are never read; they are not cleared:
        // `sqlite3_clear_bindings` marks a statement whose plan looked at a bound value (an equality on a column
        // outside the index, a LIMIT) as expired, and SQLite then compiled it again on every run (perf: 2.3 % of a
        // submission's time, in the session's read too).
        defer { sqlite_nio_sqlite3_reset(statement) }
        guard binds.count == Int(sqlite_nio_sqlite3_bind_parameter_count(statement)) else {
            throw LiteError(code: SQLITE_RANGE, message: "\(binds.count) values for the parameters of: \(sql)")
        }
        for (i, value) in binds.enumerated() {
            let index = Int32(i + 1)
            let ret: Int32
            switch value {
            case .null: ret = sqlite_nio_sqlite3_bind_null(statement, index)
            case .integer(let n): ret = sqlite_nio_sqlite3_bind_int64(statement, index, n)
            case .real(let d): ret = sqlite_nio_sqlite3_bind_double(statement, index, d)
            case .text(let t):
                ret = sqlite_nio_sqlite3_bind_text64(statement, index, t, UInt64(t.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .blob(let b):
                ret = b.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient) }
            }
            guard ret == SQLITE_OK else { throw error(ret) }
        }
        let count = sqlite_nio_sqlite3_column_count(statement)
        var result: [[LiteValue]] = []
        while true {
            let ret = sqlite_nio_sqlite3_step(statement)
            if ret == SQLITE_DONE { return result }
            guard ret == SQLITE_ROW else { throw error(ret) }
            var row: [LiteValue] = []
            row.reserveCapacity(Int(count))
            for c in 0..<count { row.append(value(statement, c)) }
            result.append(row)
        }
    }

    /// The same rows with their columns' names (for decoding them as the driver does, see `LiteRow`).
    func namedRows(_ sql: String, _ binds: [LiteValue] = []) throws -> [LiteRow] {
        let found = try rows(sql, binds)
        let names: LiteColumns
        if let known = columns[sql] {
            names = known
        } else {
            let statement = try prepared(sql)
            names = LiteColumns((0..<sqlite_nio_sqlite3_column_count(statement)).map { c in
                sqlite_nio_sqlite3_column_name(statement, c).map { String(cString: $0) } ?? ""
            })
            columns[sql] = names
        }
        return found.map { LiteRow(columns: names, values: $0) }
    }

    private func value(_ statement: OpaquePointer, _ c: Int32) -> LiteValue {
        switch sqlite_nio_sqlite3_column_type(statement, c) {
        case SQLITE_INTEGER: return .integer(sqlite_nio_sqlite3_column_int64(statement, c))
        case SQLITE_FLOAT: return .real(sqlite_nio_sqlite3_column_double(statement, c))
        case SQLITE_TEXT:
            guard let bytes = sqlite_nio_sqlite3_column_text(statement, c) else { return .null }
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, c))
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, c))
            guard length > 0, let bytes = sqlite_nio_sqlite3_column_blob(statement, c) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default: return .null
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let persistent = UInt32(SQLITE_PREPARE_PERSISTENT)
        let ret = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, persistent, &statement, nil)
        guard ret == SQLITE_OK, let statement else { throw error(ret) }
        statements[sql] = statement
        return statement
    }

    private func error(_ code: Int32) -> LiteError {
        LiteError(code: code, message: sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "")
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

extension Application {
    private struct LiteStoreKey: StorageKey { typealias Value = LiteStore }

    /// The direct connections to the embedded database (see `LiteStore`); nil on PostgreSQL.
    var liteStore: LiteStore? {
        get { storage[LiteStoreKey.self] }
        set { storage[LiteStoreKey.self] = newValue }
    }
}

/// Closes the direct connections when the application stops, and removes a throw-away database's files.
struct LiteStoreLifecycle: LifecycleHandler {
    let removeFiles: Bool

    func shutdownAsync(_ app: Application) async {
        guard let store = app.liteStore else { return }
        await store.shutdown()
        guard removeFiles else { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
    }
}
