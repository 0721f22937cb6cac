/// One event of a `text/event-stream`.
public struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field; nil for the default "message".
    public var type: String?
    /// The `data:` lines joined with "\n".
    public var data: String

    public init(type: String? = nil, data: String) {
        self.type = type
        self.data = data
    }
}

/// An incremental parser of Server-Sent Events (the WHATWG rules): lines end with LF, CRLF or CR (also
/// when a CRLF is split between two reads), `:` lines are comments (keep-alives), `data:` lines of one
/// event are joined with "\n", a blank line dispatches the event, one space after the colon is dropped.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var dataLines: [String] = []
    private var hasData = false
    private var eventType: String?
    /// Comment lines seen (keep-alives), for diagnostics.
    public private(set) var comments = 0

    public init() {}

    /// Feeds bytes; returns the events they completed.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [ServerSentEvent] where Bytes.Element == UInt8 {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            switch byte {
            case 0x0D:
                lastWasCR = true
                if let event = endLine() { events.append(event) }
            case 0x0A:
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Whether an event has started (data lines seen) but not been dispatched by a blank line: at the
    /// end of the stream, that means it was cut off.
    public var hasPendingEvent: Bool { hasData || !line.isEmpty }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") {
            comments += 1
            return nil
        }
        let field: String
        var value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var start = colon + 1
            if start < line.count, line[start] == UInt8(ascii: " ") { start += 1 }
            value = String(decoding: line[start...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "data":
            dataLines.append(value)
            hasData = true
        case "event":
            eventType = value
        default:
            value = ""  // id, retry and unknown fields do not matter to a completion stream
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            dataLines.removeAll()
            hasData = false
            eventType = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(type: eventType, data: dataLines.joined(separator: "\n"))
    }
}
