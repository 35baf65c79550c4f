import Foundation

public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 128

    public enum Problem: String, Error, Sendable, Equatable { case tooShort, tooLong, sameAsEmail }

    /// Length is what protects a password (NIST SP 800-63B): at least 12 characters, no composition rules.
    public static func check(_ password: String, email: String) throws(Problem) {
        if password.count < minimumLength { throw .tooShort }
        if password.count > maximumLength { throw .tooLong }
        if password.lowercased() == email.lowercased() { throw .sameAsEmail }
    }
}

/// Throttling of failed logins, per account and per address: after `limit` failures within `window`,
/// further attempts are refused until `lockout` has passed since the last failure.
public struct LoginThrottle: Sendable {
    public let limit: Int
    public let window: TimeInterval
    public let lockout: TimeInterval

    public static let perAccount = LoginThrottle(limit: 5, window: 15 * 60, lockout: 15 * 60)
    public static let perAddress = LoginThrottle(limit: 20, window: 15 * 60, lockout: 15 * 60)
    /// What each attempt from an address past its limit waits before it is checked: guessing across many
    /// accounts slows to one attempt a second per connection, while the right password still opens.
    public static let addressDelay: Duration = .seconds(1)

    public init(limit: Int, window: TimeInterval, lockout: TimeInterval) {
        self.limit = limit
        self.window = window
        self.lockout = lockout
    }

    /// The record of failures kept for one key (an email or an address).
    public struct Record: Sendable, Equatable {
        public var failures: Int
        public var windowStart: Date
        public var lastFailure: Date
        public init(failures: Int, windowStart: Date, lastFailure: Date) {
            self.failures = failures
            self.windowStart = windowStart
            self.lastFailure = lastFailure
        }
    }

    /// When the key may try again, or nil when it may try now.
    public func lockedUntil(_ record: Record?, now: Date) -> Date? {
        guard let record, record.failures >= limit else { return nil }
        let until = record.lastFailure + lockout
        return until > now ? until : nil
    }

    /// The record after one more failure.
    public func recordingFailure(_ record: Record?, now: Date) -> Record {
        guard let record, now.timeIntervalSince(record.windowStart) <= window || lockedUntil(record, now: now) != nil else {
            return Record(failures: 1, windowStart: now, lastFailure: now)
        }
        return Record(failures: record.failures + 1, windowStart: record.windowStart, lastFailure: now)
    }
}

/// How long things live.
public enum Lifetimes {
    /// A session with no request for this long is over.
    public static let sessionIdle: TimeInterval = 2 * 3_600
    /// A session is over after this long, however active.
    public static let sessionAbsolute: TimeInterval = 12 * 3_600
    public static let emailConfirmation: TimeInterval = 72 * 3_600
    public static let passwordReset: TimeInterval = 3_600
    public static let invitation: TimeInterval = 14 * 86_400
}

/// The address a request comes from, for login throttling and the audit log.
public enum ClientAddress {
    /// The peer's address, or — when the peer is one of `trustedProxies` — the last address of `X-Forwarded-For`
    /// that is not itself a trusted proxy (each proxy appends the address it received from). A header sent by
    /// anyone else is ignored: a client could write any address there.
    public static func resolve(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            return isIPAddress(hop) ? hop : peer
        }
        return peer
    }

    /// A dotted IPv4 address or an IPv6 address (hex groups and colons, with an optional IPv4 tail).
    public static func isIPAddress(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 45 else { return false }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if !text.contains(":") {
            return parts.count == 4 && parts.allSatisfy { p in p.count <= 3 && !p.isEmpty && p.allSatisfy(\.isASCII) && (Int(p).map { $0 <= 255 } ?? false) }
        }
        return text.allSatisfy { $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }
    }
}
