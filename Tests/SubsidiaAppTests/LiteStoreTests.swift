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
            try await app.store.write(.notAudited(because: "a test's setup")) { tx in try await CallCache.touch(callID, on: tx) }
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
            // Bindings are not cleared between runs: a run gets every value it needs, or is refused.
            #expect(throws: LiteError.self) { try store.read { try $0.rows("SELECT ?, ?", [.integer(1)]) } }
            #expect(try store.read { try $0.rows("SELECT ?, ?", [.text("a"), .integer(1)]) }.first == [.text("a"), .integer(1)])
            #expect(try store.read { try $0.rows("SELECT ?, ?", [.null, .real(0.5)]) }.first == [.null, .real(0.5)])
        }
    }

    @Test("An application and its lines read through the store equal Fluent's, field by field; inside a transaction the store reads on the transaction's connection")
    func readsAsFluentReadsThem() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let browser = Browser(app)
            try await browser.login("applicant@subsidia.example")
            let base = try await browser.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await browser.fillCommunes(base)
            let id = try applicationID(base)
            let fluent = try #require(try await GrantApplication.find(id, on: app.db))
            let reads = app.store
            #expect(reads.usesFastPath == (app.liteStore != nil))
            let direct = try #require(try await reads.models(GrantApplication.self, "SELECT * FROM applications WHERE id = \(bind: id)").first)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var c = encoder.singleValueContainer()
                try c.encode(date.timeIntervalSinceReferenceDate)
            }
            #expect(String(decoding: try encoder.encode(direct), as: UTF8.self) == String(decoding: try encoder.encode(fluent), as: UTF8.self))
            #expect(direct.$id.exists)
            let a = try await ApplicationBundle.load(fluent, on: app.store.withoutFastPath)
            let b = try await ApplicationBundle.load(direct, on: reads)
            #expect(b.expenses.count == 2 && b.revenues.count == 1 && b.documents.count == 1 && !b.answers.isEmpty && !b.sections.isEmpty)
            #expect(try encoder.encode(a.expenses) == encoder.encode(b.expenses))
            #expect(try encoder.encode(a.revenues) == encoder.encode(b.revenues))
            #expect(try encoder.encode(a.previous) == encoder.encode(b.previous))
            #expect(a.answers == b.answers && a.documents.map(\.id) == b.documents.map(\.id) && a.sections.keys.sorted() == b.sections.keys.sorted())
            // In a transaction the direct connections would not see its writes: Reads goes through the transaction.
            try await app.store.write(.notAudited(because: "a test's uncommitted change")) { tx in
                try await tx.execute("UPDATE applications SET title = 'Not yet committed' WHERE id = \(bind: id)")
                let row = try #require(try await tx.models(GrantApplication.self, "SELECT * FROM applications WHERE id = \(bind: id)").first)
                #expect(row.title == "Not yet committed")
                if let store = app.liteStore {
                    let outside = try store.read { try $0.rows("SELECT title FROM applications WHERE id = ?", [LiteValue(id)]) }
                    #expect(outside.first?[0].text == fluent.title)
                }
            }
        }
    }

    @Test("Models whose properties are written out list every property reflection finds, in order")
    func writtenOutProperties() {
        func check<M: Model>(_ model: M) {
            let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }.map { ObjectIdentifier($0 as AnyObject) }
            let listed = model.properties.map { ObjectIdentifier($0 as AnyObject) }
            #expect(!reflected.isEmpty && listed == reflected, "\(M.self)")
        }
        check(GrantApplication())
        check(ExpenseLineRecord())
        check(RevenueLineRecord())
    }

    @Test("A group's write whose guarded statement changes no row is undone alone (conflict); the writes beside it are committed")
    func groupWritesAreAtomicEach() async throws {
        try await withSubsidia(demo: true) { app, _ in
            guard let store = app.liteStore, let sql = app.db as? any SQLDatabase else { return }
            let group = app.commitGroup
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
                            try await group.run(write, store: store)
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
