import NIOConcurrencyHelpers
import Vapor

/// Counts the requests being handled, so that a stop (SIGTERM) lets them finish before the databases close:
/// a handler that reached its database after the shutdown took the whole process down (Fluent traps), and the
/// process then ended by SIGILL instead of exit 0. Once draining, new requests are refused with 503.
public final class InFlight: Sendable {
    private struct State { var count = 0; var draining = false }
    private let state = NIOLockedValueBox(State())

    func enter() -> Bool {
        state.withLockedValue { s in
            guard !s.draining else { return false }
            s.count += 1
            return true
        }
    }

    func leave() { state.withLockedValue { $0.count -= 1 } }

    var count: Int { state.withLockedValue { $0.count } }

    /// Refuses new requests, then waits until none is in flight or `timeout` passed; returns how many were left.
    public func drain(timeout: Duration) async -> Int {
        state.withLockedValue { $0.draining = true }
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while count > 0 && clock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
        return count
    }
}

/// The outermost middleware: every request is counted while its handler runs.
struct InFlightMiddleware: Middleware {
    let inFlight: InFlight

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard inFlight.enter() else {
            return request.eventLoop.makeSucceededFuture(Response(status: .serviceUnavailable, headers: ["Connection": "close"]))
        }
        let response = next.respond(to: request)
        response.whenComplete { _ in self.inFlight.leave() }
        return response
    }
}

extension Application {
    private struct InFlightKey: StorageKey { typealias Value = InFlight }

    /// Set once at start (`configure`).
    public var inFlight: InFlight {
        get { storage[InFlightKey.self] ?? InFlight() }
        set { storage[InFlightKey.self] = newValue }
    }
}
