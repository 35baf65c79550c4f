import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Failed logins counted in the database (`login_throttles`, policy in `LoginThrottle`) without losing any when
/// requests arrive together. Each count is a compare-and-set on the row the request read: an update that changes
/// the row only if its count is still the one read, a delete of a row whose window has ended only if it is still
/// that row, an insert that does nothing when a row appeared meanwhile; when another request came first, the row
/// is read again and the count tried again. Before, the row was read, then saved after the password's check:
/// failures sent together were lost (all read the same count and wrote it plus one), and two first failures both
/// inserted the row, the second answering 500. Each write passes the write gate, as every write of a page does.
enum LoginThrottles {
    static func read(_ key: String, on store: any StoreReading) async throws -> LoginThrottle.Record? {
        try await store.find(LoginThrottleRecord.self, key)
            .map { .init(failures: $0.failures, windowStart: $0.windowStart, lastFailure: $0.lastFailure) }
    }

    /// Counts one failure for `key`. With `unlessLocked`, a key that is locked is not counted: the answer is then
    /// when it may try again (and nil when the failure was counted).
    static func count(_ key: String, _ policy: LoginThrottle, now: Date, unlessLocked: Bool,
                      req: Request) async throws -> Date? {
        for _ in 0..<100 {
            let current = try await read(key, on: req.store)
            if unlessLocked, let until = policy.lockedUntil(current, now: now) { return until }
            if try await count(key, policy, now: now, on: current, store: req.store) {
                return nil
            }
        }
        // A hundred requests for the same key came first, one after the other: refuse this one rather than let it
        // through uncounted.
        throw Abort(.serviceUnavailable)
    }

    /// One try: one more failure on the row as it was read (`current`, nil when there was none). False when the
    /// row is no longer that one, because another request counted first; nothing is written then.
    static func count(_ key: String, _ policy: LoginThrottle, now: Date, on current: LoginThrottle.Record?,
                      store: Store) async throws -> Bool {
        let next = policy.recordingFailure(current, now: now)
        func written(_ statement: SQLQueryString) async throws -> Bool {
            try await store.write(.notAudited(because: "a login throttle's count")) { tx in try await tx.changed(statement) }
        }
        if let current, next.failures > current.failures {
            // One more failure on the row read: written only if its count is still the one read.
            return try await written("""
                UPDATE login_throttles SET failures = \(bind: next.failures), \
                window_start = \(bind: next.windowStart), last_failure = \(bind: next.lastFailure) \
                WHERE \(ident: "key") = \(bind: key) AND failures = \(bind: current.failures) \
                RETURNING \(ident: "key")
                """)
        }
        if let current {
            // A new window: the row read goes, if it is still that row. Its count alone would not tell, since a row
            // started again by another request has a count of 1 as well; but that row's window starts at about
            // `now`, far from the end of a window (a second's margin for the dates' rounding in storage).
            let ended = now - policy.window + 1
            let gone = try await written("""
                DELETE FROM login_throttles WHERE \(ident: "key") = \(bind: key) \
                AND failures = \(bind: current.failures) AND window_start < \(bind: ended) \
                RETURNING \(ident: "key")
                """)
            if !gone { return false }
        }
        return try await written("""
            INSERT INTO login_throttles (\(ident: "key"), failures, window_start, last_failure) \
            VALUES (\(bind: key), \(bind: next.failures), \(bind: next.windowStart), \(bind: next.lastFailure)) \
            ON CONFLICT (\(ident: "key")) DO NOTHING RETURNING \(ident: "key")
            """)
    }

    /// Forgets the failures of `key` (a login that gave the right password).
    static func clear(_ key: String, req: Request) async throws {
        try await req.store.write(.notAudited(because: "a login throttle's end")) { tx in
            try await tx.query(LoginThrottleRecord.self).filter(\.$id == key).delete()
        }
    }
}
