import Fluent
import Foundation
import PropertyBased
import SQLKit
import SubsidiaCore
@testable import SubsidiaApp
import Testing
import VaporTesting

/// Issue 18: a section's save is one definition per database (M008's trigger on SQLite, M012's function on
/// PostgreSQL), reached two ways on SQLite (the group commit of `LiteStore`, and a transaction of sqlite-nio's for a
/// save that records an audit event). Over random answers, every way stores exactly what the model below says; the
/// suite runs on SQLite and on PostgreSQL (`DATABASE_URL`), so the databases agree with each other through it.
@Suite("A section's save, over random answers")
struct SectionSaveTests {
    /// One answer as its typed columns.
    struct Columns: Equatable, Decodable, CustomStringConvertible {
        var text_value: String?
        var int_value: Int64?
        var date_value: String?
        var bool_value: Bool?

        var description: String { "(\(text_value ?? "∅"), \(int_value.map(String.init) ?? "∅"), \(date_value ?? "∅"), \(bool_value.map(String.init) ?? "∅"))" }
    }

    /// What the rounds have saved so far; the rounds run one after the other.
    final class State: @unchecked Sendable {
        var model: [String: Columns] = [:]
        var title: String
        var round = 0
        init(title: String) { self.title = title }
    }

    static let codes = ["title", "description", "edition_number", "new_project", "start_date", "themes", "q1", "q2", "q3", "q4"]

    /// The answers a random input saves: which questions, which typed column, which values.
    static func answers(kinds: [Int], numbers: [Int64], letters: [UnicodeScalar], days: Int) -> [(String, Columns)] {
        var out: [(String, Columns)] = []
        for (i, kind) in kinds.enumerated() {
            let code = codes[(i * 7 + kind) % codes.count]
            if out.contains(where: { $0.0 == code }) { continue }
            let text = String(String.UnicodeScalarView(letters.dropFirst(i).prefix(12 + kind)))
            let date = LuxembourgTime.calendarDate(of: Date(timeIntervalSince1970: Double(days + i) * 86_400)).iso
            switch kind {
            case 0: out.append((code, Columns(text_value: text)))
            case 1: out.append((code, Columns(int_value: numbers[i % numbers.count])))
            case 2: out.append((code, Columns(date_value: date)))
            case 3: out.append((code, Columns(bool_value: numbers[i % numbers.count] % 2 == 0)))
            case 4: out.append((code, Columns(text_value: "a,b," + text)))
            default: out.append((code, Columns()))  // an answer stored with every column empty
            }
        }
        return out
    }

    static func save(_ id: UUID, section: String, version: Int, kept: [(String, Columns)], emptied: [String], project: String?)
        -> SectionSave {
        let answers = JSONText.array(kept.map { code, v in
            JSONText.object(["id": .string(UUID().uuidString), "code": .string(code), "text": .string(v.text_value),
                             "integer": .integer(v.int_value), "date": .string(v.date_value), "bool": .bool(v.bool_value)])
        })
        return SectionSave(application: id, section: section, expectedVersion: version, answers: answers, emptied: JSONText.strings(emptied),
                           project: project.map { JSONText.object(["title": .string($0), "start": .string("2027-01-01"), "end": .string(nil),
                                                                   "action": .string(nil), "festival": .string(nil)]) },
                           savedAt: Date())
    }

    @Test("Every path stores what the model says: answers upserted, emptied ones deleted, the version moved, the title kept")
    func savesAgreeWithTheModel() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let id = try applicationID(try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)"))
            let store = app.store
            struct Version: Decodable { let version: Int }
            struct Stored: Decodable { let question_code: String; let text_value: String?; let int_value: Int64?; let date_value: String?; let bool_value: Bool? }
            struct Title: Decodable { let title: String }
            func version() async throws -> Int {
                try await store.first(Version.self, "SELECT version FROM application_sections WHERE application_id = \(bind: id) AND section = 'project'")?.version ?? -1
            }
            let state = State(title: try #require(try await store.first(Title.self, "SELECT title FROM applications WHERE id = \(bind: id)")).title)
            await propertyCheck(
                count: 40, input: Gen.int(in: 0...5).array(of: 0...9), Gen.int64(in: .min ... .max).array(of: 4),
                Gen.unicodeScalar(in: " "..."\u{2FF}").array(of: 40), Gen.int(in: 0...40_000), Gen.int(in: 0...3)
            ) { kinds, numbers, letters, days, path in
                state.round += 1
                let round = state.round
                let kept = Self.answers(kinds: kinds, numbers: numbers, letters: letters, days: days)
                let emptied = Self.codes.filter { c in !kept.contains { $0.0 == c } && (c.count + days) % 3 == 0 }
                let project = path == 3 ? "Projet \(round) « \(String(String.UnicodeScalarView(letters.prefix(5))))" : nil
                do {
                    let before = try await version()
                    let save = Self.save(id, section: "project", version: before, kept: kept, emptied: emptied, project: project)
                    // Path 0: the store's save (the group commit on SQLite); 1: inside a transaction with an audit event;
                    // 2: a stale version, refused whole.
                    let saved: Int?
                    switch path {
                    case 1:
                        saved = try await store.write(.notAudited(because: "a test")) { tx in try await tx.saveSection(save) }
                    case 2:
                        let stale = Self.save(id, section: "project", version: before - 1, kept: kept, emptied: emptied, project: "stale")
                        #expect(try await store.saveSection(stale) == nil)
                        #expect(try await version() == before)
                        saved = try await store.saveSection(save)
                    default:
                        saved = try await store.saveSection(save)
                    }
                    #expect(saved == before + 1)
                    #expect(try await version() == before + 1)
                    for (code, v) in kept { state.model[code] = v }
                    for code in emptied { state.model[code] = nil }
                    if let project { state.title = project }
                    let rows = try await store.rows(Stored.self, "SELECT question_code, text_value, int_value, date_value, bool_value FROM application_answers WHERE application_id = \(bind: id)")
                    let stored = Dictionary(uniqueKeysWithValues: rows.map {
                        ($0.question_code, Columns(text_value: $0.text_value, int_value: $0.int_value, date_value: $0.date_value, bool_value: $0.bool_value))
                    })
                    // Questions of other sections the demo filled in are not touched by these saves.
                    let ours = stored.filter { Self.codes.contains($0.key) }
                    #expect(ours == state.model, "round \(round), path \(path)")
                    #expect(try await store.first(Title.self, "SELECT title FROM applications WHERE id = \(bind: id)")?.title == state.title)
                } catch {
                    Issue.record("round \(round): \(error)")
                }
            }
        }
    }
}
