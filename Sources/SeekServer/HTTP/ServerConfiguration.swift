import Foundation

/// Where and how `seek serve` listens, and the limits that keep a slow or endless client from holding
/// the server.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests); `onListening` reports it.
    public var port = 8080
    /// Requests must send `Authorization: Bearer KEY` (all routes but /health); nil: no key.
    public var apiKey: String?
    public var scheduler = SlotScheduler.Configuration()
    /// Largest request body accepted; more is a 413.
    public var maxBodyBytes = 4 << 20
    /// Largest header field and header block accepted (the HTTP decoder answers 400 and closes beyond).
    public var maxHeaderBytes = 64 << 10
    /// Seconds a body may take to arrive.
    public var bodyTimeoutSeconds = 30
    /// Seconds an idle keep-alive connection (or one that never finishes its headers) stays open.
    public var idleTimeoutSeconds = 60
    /// Open connections at most; further ones wait in the listen backlog.
    public var maxConnections = 256
    /// Value of `system_fingerprint` in responses.
    public var systemFingerprint = "seek"

    public init() {}

    /// The key from `--api-key`, else `$SEEK_API_KEY`; empty means none.
    public static func apiKey(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for candidate in [flag, environment["SEEK_API_KEY"]] {
            if let key = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty { return key }
        }
        return nil
    }

    /// A warning for the command line when the server listens beyond this machine without a key.
    public var bindingWarning: String? {
        guard apiKey == nil, !Self.isLoopback(host) else { return nil }
        return "listening on \(host) without an API key: anyone who can reach this address can use the model "
            + "(set --api-key or $SEEK_API_KEY, or bind 127.0.0.1)"
    }

    /// Whether `host` names only this machine.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
