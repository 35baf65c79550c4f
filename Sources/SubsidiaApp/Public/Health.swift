import Vapor

enum HealthController {
    struct Health: Content {
        let status: String
        let database: String
        let migrations: Int
    }

    /// Status, database kind and the count of applied migrations; 503 when the database does not answer.
    static func health(_ req: Request) async throws -> Response {
        let kind = req.application.subsidiaConfig.database.kind
        do {
            let n = try await req.store.appliedMigrations()
            let response = Response(status: .ok)
            try response.content.encode(Health(status: "ok", database: kind, migrations: n))
            return response
        } catch {
            let response = Response(status: .serviceUnavailable)
            try response.content.encode(Health(status: "unavailable", database: kind, migrations: 0))
            return response
        }
    }
}
