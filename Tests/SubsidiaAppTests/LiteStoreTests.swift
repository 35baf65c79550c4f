import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import SubsidiaApp

@Suite("LiteStore: the direct SQLite connections of the hot paths")
struct LiteStoreTests {
    @Test("Values read directly equal what Fluent reads: ids, texts, booleans, and dates to the microsecond (the call cache compares stamps)")
    func valuesAsFluentReadsThem() async throws {
        try await withSubsidia(demo: true) { app, _ in
            guard let store = app.liteStore else { return }  // PostgreSQL: no direct connections
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            let callID = try call.requireID()
            // A stamp with sub-microsecond digits, as `CallCache.touch` writes them.
            try await CallCache.touch(callID, on: app.db)
            let fluent = try #require(try await Call.find(callID, on: app.db))
            let row = try store.read { try $0.rows("SELECT id, reference, updated_at FROM calls WHERE id = ?", [LiteValue(callID)]) }
            #expect(row.count == 1)
            #expect(row.first?[0].uuid == callID && row.first?[1].text == "COM-DEMO-2027")
            #expect(row.first?[2].date == fluent.updatedAt)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first())
            let active = try store.read { try $0.rows("SELECT is_active FROM users WHERE id = ?", [LiteValue(try user.requireID())]) }
            #expect(active.first?[0].bool == user.isActive)
            // A statement that fails is reported, and the connection serves the next one.
            #expect(throws: LiteError.self) { try store.read { try $0.rows("SELECT nothing FROM nowhere") } }
            #expect(try store.read { try $0.rows("SELECT 1 + 1") }.first?[0] == .integer(2))
        }
    }

    @Test("A group's write whose guarded statement changes no row is undone alone (conflict); the writes beside it are committed")
    func groupWritesAreAtomicEach() async throws {
        try await withSubsidia(demo: true) { app, _ in
            guard let store = app.liteStore, let sql = app.db as? any SQLDatabase else { return }
            let group = app.commitGroup
            let db = app.db
            func audit(_ summary: String) throws -> LiteStatement {
                try LiteStatement("""
                    INSERT INTO audit_events (id, occurred_at, action, entity_type, summary) \
                    VALUES (\(bind: UUID()), \(bind: Date()), 'test.write', 'test', \(bind: summary))
                    """, on: sql)
            }
            let nothing = try LiteStatement("UPDATE calls SET updated_at = updated_at WHERE reference = 'NO-SUCH-CALL'", on: sql, mustChangeRow: true)
            let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { tasks in
                for k in 0..<12 {
                    let write = k % 3 == 0 ? [try audit("refused \(k)"), nothing] : [try audit("kept \(k)")]
                    tasks.addTask {
                        do {
                            try await group.run(write, on: db, store: store)
                            return ("kept", true)
                        } catch let error as LiteError where error.isConflict {
                            return ("refused", false)
                        }
                    }
                }
                var all: [(String, Bool)] = []
                for try await outcome in tasks { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter(\.1).count == 8 && outcomes.filter { !$0.1 }.count == 4)
            let written = try await AuditEvent.query(on: app.db).filter(\.$action == "test.write").all().map(\.summary)
            #expect(written.count == 8 && written.allSatisfy { $0.hasPrefix("kept") })
        }
    }
}
