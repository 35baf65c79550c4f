import Foundation
import SubsidiaCore
import Vapor

/// Everything the application reads from its environment, read once at start into a typed value.
/// A bad value stops the program with a message that says what to fix, never a crash trace.
public struct AppConfig: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteMemory
        case postgres(url: String, searchPath: String?)

        public var kind: String {
            switch self {
            case .sqliteFile, .sqliteMemory: "sqlite"
            case .postgres: "postgresql"
            }
        }
    }

    public var database: DatabaseChoice
    public var loadDemo: Bool
    /// `Secure` cookies and HSTS: whenever SUBSIDIA_BASE_URL is https (and always with `--env production`).
    public var secureCookies: Bool
    /// Reverse proxies whose `X-Forwarded-For` names the client (SUBSIDIA_TRUSTED_PROXIES, addresses separated
    /// by commas); from any other peer the header is ignored.
    public var trustedProxies: Set<String> = []
    /// Where mail links point ("https://subsidia.example.lu"); no trailing slash.
    public var baseURL: String
    public var port: Int?
    /// The largest document an applicant may upload (COM-14), SUBSIDIA_MAX_UPLOAD_MB, 20 MB by default.
    public var maxUploadBytes: Int
    /// Rows per batch of the queue's CSV and XLSX exports (tests make it small so that their exports cross batches).
    public var exportBatchSize: Int
    /// PostgreSQL connections each event loop may open (DATABASE_CONNECTIONS; the server has one loop per core).
    /// A request's transaction holds its connection until it commits, so with Fluent's default of one, every other
    /// request of that loop waited behind it. Tests build their configuration directly and keep one.
    public var connectionsPerLoop: Int

    public init(database: DatabaseChoice, loadDemo: Bool, secureCookies: Bool, baseURL: String, port: Int? = nil,
                maxUploadBytes: Int = 20 * 1_048_576, exportBatchSize: Int = 2_000, connectionsPerLoop: Int = 1) {
        self.maxUploadBytes = maxUploadBytes
        self.connectionsPerLoop = max(1, connectionsPerLoop)
        self.exportBatchSize = max(1, exportBatchSize)
        self.database = database
        self.loadDemo = loadDemo
        self.secureCookies = secureCookies
        self.baseURL = baseURL
        self.port = port
    }

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let variable: String
        public let message: String
        public var description: String { "Configuration error in \(variable): \(message)" }
    }

    /// PostgreSQL connections per event loop when DATABASE_CONNECTIONS is not set (bench/RESULTS.md, PostgreSQL).
    public static let defaultConnectionsPerLoop = 4

    public static func from(environment env: [String: String], mode: Environment) throws -> AppConfig {
        let database: DatabaseChoice
        if let url = env["DATABASE_URL"], !url.isEmpty {
            guard let parts = URLComponents(string: url), let scheme = parts.scheme,
                  ["postgres", "postgresql"].contains(scheme.lowercased()), let host = parts.host, !host.isEmpty
            else {
                throw Problem(variable: "DATABASE_URL",
                              message: "expected postgres://user:password@host:5432/database, got an unparsable value")
            }
            if let port = parts.port, !(1...65_535).contains(port) {
                throw Problem(variable: "DATABASE_URL", message: "port \(port) is out of range")
            }
            database = .postgres(url: url, searchPath: nil)
        } else if let path = env["SQLITE_PATH"], !path.isEmpty {
            database = path == ":memory:" ? .sqliteMemory : .sqliteFile(path: path)
        } else {
            database = .sqliteFile(path: "data/subsidia.sqlite")
        }

        var loadDemo = true
        if let demo = env["SUBSIDIA_DEMO"] {
            switch demo.lowercased() {
            case "0", "false", "no", "off": loadDemo = false
            case "1", "true", "yes", "on", "": loadDemo = true
            default: throw Problem(variable: "SUBSIDIA_DEMO", message: "use 1 or 0, not \"\(demo)\"")
            }
        }

        var port: Int?
        if let p = env["PORT"], !p.isEmpty {
            guard let value = Int(p), (1...65_535).contains(value) else {
                throw Problem(variable: "PORT", message: "\"\(p)\" is not a port between 1 and 65535")
            }
            port = value
        }

        let base = (env["SUBSIDIA_BASE_URL"] ?? "http://127.0.0.1:\(port ?? 8080)")
        guard let baseParts = URLComponents(string: base), baseParts.scheme == "http" || baseParts.scheme == "https",
              baseParts.host != nil else {
            throw Problem(variable: "SUBSIDIA_BASE_URL", message: "expected an http(s) address, got \"\(base)\"")
        }
        var maxUpload = 20
        if let raw = env["SUBSIDIA_MAX_UPLOAD_MB"], !raw.isEmpty {
            guard let mb = Int(raw), (1...200).contains(mb) else {
                throw Problem(variable: "SUBSIDIA_MAX_UPLOAD_MB", message: "\"\(raw)\" is not a size in MB between 1 and 200")
            }
            maxUpload = mb
        }
        var connections = AppConfig.defaultConnectionsPerLoop
        if let raw = env["DATABASE_CONNECTIONS"], !raw.isEmpty {
            guard let n = Int(raw), (1...64).contains(n) else {
                throw Problem(variable: "DATABASE_CONNECTIONS",
                              message: "\"\(raw)\" is not a number of connections between 1 and 64")
            }
            connections = n
        }
        var proxies: Set<String> = []
        for raw in (env["SUBSIDIA_TRUSTED_PROXIES"] ?? "").split(separator: ",") {
            let address = raw.trimmingCharacters(in: .whitespaces)
            guard ClientAddress.isIPAddress(address) else {
                throw Problem(variable: "SUBSIDIA_TRUSTED_PROXIES", message: "\"\(address)\" is not an IP address")
            }
            proxies.insert(address)
        }
        let secure = mode == .production || baseParts.scheme == "https"
        var config = AppConfig(database: database, loadDemo: loadDemo, secureCookies: secure,
                               baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, port: port,
                               maxUploadBytes: maxUpload * 1_048_576, connectionsPerLoop: connections)
        config.trustedProxies = proxies
        return config
    }
}

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }
    private struct ClockKey: StorageKey { typealias Value = any SubsidiaCore.Clock }

    public var subsidiaConfig: AppConfig {
        get { storage[ConfigKey.self] ?? AppConfig(database: .sqliteMemory, loadDemo: false, secureCookies: false, baseURL: "http://127.0.0.1:8080") }
        set { storage[ConfigKey.self] = newValue }
    }

    /// The clock every rule reads; tests replace it with a FixedClock.
    public var clock: any SubsidiaCore.Clock {
        get { storage[ClockKey.self] ?? SystemClock() }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.clock.now() }
}

extension Request {
    /// The client's address: the peer's, or what a trusted proxy says it is (`ClientAddress`).
    var clientAddress: String {
        ClientAddress.resolve(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor],
                              trustedProxies: application.subsidiaConfig.trustedProxies)
    }
}
