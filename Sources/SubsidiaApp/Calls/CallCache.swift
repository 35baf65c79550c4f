import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import SubsidiaCore
import Vapor

/// A call's parts and questions, kept in memory between requests: every application page needs them, and they
/// change only when staff edit the call. The entry is keyed by the call row's `updated_at`, which every change
/// to the call, its parts or its questions moves (`touch`), so an instance never serves a changed call's old
/// parts, even when another instance made the change.
final class CallCache: Sendable {
    struct Entry: Sendable {
        let stamp: Date?
        let bundle: CallBundle
        let questions: [Question]
    }

    /// One per process: entries are keyed by call id and checked against the database's stamp on every use.
    static let shared = CallCache()

    private let entries = NIOLockedValueBox<[UUID: Entry]>([:])
    /// Calls are few; a bound keeps a long-running instance from growing without end.
    static let capacity = 500

    func bundle(for call: Call, on store: any StoreReading) async throws -> (CallBundle, [Question]) {
        let id = try call.requireID()
        if let e = entries.withLockedValue({ $0[id] }), e.stamp == call.updatedAt {
            return (e.bundle, e.questions)
        }
        async let bundle = CallBundle.load(call, on: store)
        async let questions = store.query(CallQuestion.self).filter(\.$call.$id == id).sort(\.$position).all()
        let entry = Entry(stamp: call.updatedAt, bundle: try await bundle, questions: try await questions.map(\.question))
        entries.withLockedValue {
            if $0.count >= Self.capacity { $0.removeAll() }
            $0[id] = entry
        }
        return (entry.bundle, entry.questions)
    }

    /// The same, from a call id and the `updated_at` read with it (the call row is read only on a miss).
    /// `store` is asked for only when the call must be read (perf: the request's database handle is built each time,
    /// 2 % of an autosave's time).
    func bundle(id: UUID, stamp: Date?, on store: @autoclosure () -> any StoreReading) async throws -> (CallBundle, [Question]) {
        if let e = entries.withLockedValue({ $0[id] }), e.stamp == stamp { return (e.bundle, e.questions) }
        let store = store()
        guard let call = try await store.find(Call.self, id) else { throw Abort(.notFound) }
        return try await bundle(for: call, on: store)
    }

    /// Moves the call's `updated_at` (in the caller's transaction): cached copies of its parts become stale.
    static func touch(_ callID: UUID?, on tx: StoreTransaction) async throws {
        guard let callID else { return }
        // Microseconds apart at least, so two changes in one second still differ.
        try await tx.execute("UPDATE \(ident: Call.schema) SET updated_at = \(bind: Date()) WHERE id = \(bind: callID)")
    }
}
