import PostgresNIO

/// Recognises the database's refusal to change an application that is no longer editable (migration M013), from
/// SQLite (through sqlite-nio or `LiteStore`) or PostgreSQL, whose errors hide the server's message from
/// `description`.
enum EditGuard {
    static let marker = "subsidia:not_editable"

    static func refused(_ error: any Error) -> Bool {
        if let pg = error as? PSQLError { return pg.serverInfo?[.message]?.contains(marker) ?? false }
        return String(describing: error).contains(marker)
    }
}
