import NIOConcurrencyHelpers
import Vapor

/// Bounds the uploads one person sends at once: each holds up to the upload limit in memory while it is checked,
/// so a few people's parallel uploads could otherwise take the server's memory. A request past the bound is
/// refused (429) before its body is read.
final class UploadSlots: Sendable {
    static let perUser = 2
    private let inFlight = NIOLockedValueBox([UUID: Int]())

    /// Takes a slot for `user`, or returns false when they already have `perUser` uploads running.
    func take(_ user: UUID) -> Bool {
        inFlight.withLockedValue { counts in
            guard counts[user, default: 0] < Self.perUser else { return false }
            counts[user, default: 0] += 1
            return true
        }
    }

    func release(_ user: UUID) {
        inFlight.withLockedValue { counts in
            let n = counts[user, default: 0] - 1
            counts[user] = n > 0 ? n : nil
        }
    }

    /// Runs `body` holding one of `user`'s slots; 429 when none is free.
    func with<T: Sendable>(_ user: UUID, _ body: () async throws -> T) async throws -> T {
        guard take(user) else { throw Abort(.tooManyRequests, reason: "uploads") }
        defer { release(user) }
        return try await body()
    }
}

extension Application {
    private struct UploadSlotsKey: StorageKey { typealias Value = UploadSlots }

    /// Set once at start (`configure`), read by every upload.
    var uploadSlots: UploadSlots {
        get { storage[UploadSlotsKey.self] ?? UploadSlots() }
        set { storage[UploadSlotsKey.self] = newValue }
    }
}
