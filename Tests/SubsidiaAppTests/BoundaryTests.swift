import Fluent
import Foundation
@testable import SubsidiaApp
import Testing
import VaporTesting

/// Issue 18: a feature reaches the database only through `Store` (Platform/Store.swift). The feature folders are
/// every folder of SubsidiaApp but Platform (the boundary itself), Migrations (the schema) and the offline tools
/// that fill a stopped server's database (Commands, Demo).
@Suite("The storage boundary")
struct BoundaryTests {
    static let features = ["Accounts", "Admin", "API", "Applications", "Calls", "Instruction", "Organisations", "Public", "Register"]

    /// What a feature may not write: each pattern with what to use instead.
    static let forbidden: [(pattern: String, instead: String)] = [
        (#"\b(req|request|app|application)\.db\b"#, "req.store"),
        (#"\bany Database\b|\bSQLDatabase\b|\bSQLiteDatabase\b"#, "Store / StoreReading / StoreTransaction"),
        (#"\.transaction\s*[({]"#, "req.store.write"),
        (#"\.(create|save|update|delete)\(on:"#, "tx.create / tx.save / tx.update / tx.delete"),
        (#"\.raw\("#, "store.rows / tx.execute"),
        (#"\b(LiteStore|liteStore|LiteConnection|LiteStatement|LiteValue|CommitGroup|commitGroup|WriteGate|writeGate|SQLiteReads|SQLiteRow)\b"#,
         "Store (its fast paths are behind it)"),
        (#"\bisPostgres\b|\.dialect\b|DatabaseSetup\."#, "StoreEngine passed to a Platform helper (SearchIndex, indexHint)"),
        (#"import (FluentSQLiteDriver|FluentPostgresDriver|SQLiteNIO|PostgresNIO|VaporCSQLite)"#, "Store"),
    ]

    static func sources() throws -> [(String, String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SubsidiaApp")
        var files: [(String, String)] = []
        for folder in features {
            let dir = root.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
            for name in names {
                files.append((folder + "/" + name, try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)))
            }
        }
        return files
    }

    /// The lines of `text` that match one of `forbidden`, comments left out.
    static func violations(in text: String) throws -> [String] {
        let rules = try forbidden.map { (try NSRegularExpression(pattern: $0.pattern), $0.instead) }
        var found: [String] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.components(separatedBy: "//").first ?? ""
            for (rule, instead) in rules where rule.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
                found.append("line \(n + 1): \(line.trimmingCharacters(in: .whitespaces)) (use \(instead))")
            }
        }
        return found
    }

    @Test("No feature folder reaches the database but through the store")
    func featuresUseTheStore() throws {
        let files = try Self.sources()
        #expect(files.count > 30)
        for (path, text) in files {
            let found = try Self.violations(in: text)
            #expect(found.isEmpty, Comment(rawValue: "\(path):\n" + found.joined(separator: "\n")))
        }
    }

    @Test("Controllers are not libraries of each other: what two of them share lives in an operations, queries or texts file")
    func controllersDoNotCallEachOther() throws {
        let rule = try NSRegularExpression(pattern: #"\b([A-Z][A-Za-z]*Controller)\."#)
        for (path, text) in try Self.sources() {
            // A file of a controller (`XController.swift`, `XController+Part.swift`) may name its own type.
            let own = String(path.split(separator: "/").last!.split(separator: "+").first!.split(separator: ".").first!)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = String(line.components(separatedBy: "//").first ?? "")
                for match in rule.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
                    let name = (code as NSString).substring(with: match.range(at: 1))
                    #expect(name == own, "\(path):\(n + 1) calls \(name): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }

    @Test("The check finds each way around the store (failing case) and passes the store's own calls")
    func checkFindsEachWayAround() throws {
        let around = [
            "let x = try await User.query(on: req.db).all()", "guard let sql = db as? any SQLDatabase else { return }",
            "try await req.db.transaction { db in }", "try await user.save(on: db)", "try await sql.raw(\"DELETE FROM users\").run()",
            "if let store = req.application.liteStore {", "try await req.application.commitGroup.run(w, store: s)",
            "let postgres = DatabaseSetup.isPostgres(req.db)", "import FluentSQLiteDriver",
        ]
        for line in around { #expect(try Self.violations(in: line).count >= 1, "not found: \(line)") }
        let through = [
            "let x = try await req.store.query(User.self).all()", "try await req.store.write { tx in try await tx.save(user) }",
            "let rows = try await store.rows(Row.self, \"SELECT 1\")", "// req.db in a comment",
        ]
        for line in through { #expect(try Self.violations(in: line).isEmpty, "refused: \(line)") }
    }

    @Test("A write outside Store.write is refused; a write transaction without its audit event is rolled back unless it says why")
    func writesNeedTheTransactionAndTheAudit() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let store = app.store
            let before = try await store.query(Programme.self).count()
            // Fluent's builder from a store reads but never writes.
            await #expect(throws: StoreError.self) { try await store.query(Programme.self).filter(\.$code == "none").delete() }
            let copy = try #require(try await store.query(Programme.self).first())
            // A write that records no audit event: refused, nothing kept.
            await #expect(throws: StoreError.self) {
                try await store.write { tx in
                    try await tx.query(Programme.self).filter(\.$id == copy.id!).set(\.$code, to: "CHANGED").update()
                }
            }
            #expect(try await store.find(Programme.self, copy.id)?.code == copy.code)
            // The same with a reason, or with its audit event: kept.
            try await store.write(.notAudited(because: "a test")) { tx in
                try await tx.query(Programme.self).filter(\.$id == copy.id!).set(\.$code, to: "CHANGED").update()
            }
            #expect(try await store.find(Programme.self, copy.id)?.code == "CHANGED")
            // A transaction that only reads needs no audit event.
            let n = try await store.write { tx in try await tx.query(Programme.self).count() }
            #expect(n == before)
        }
    }
}
