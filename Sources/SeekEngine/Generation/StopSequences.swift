/// Watches streamed text for stop strings. Text that might be the start of a stop string is held back
/// until the next piece shows whether it is; the stop string itself is never emitted.
public struct StopSequences: Sendable {
    private let stops: [[Unicode.Scalar]]
    private var pending: [Unicode.Scalar] = []
    public private(set) var isStopped = false

    public init(_ stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
    }

    /// Feeds the next piece of text; returns what can be shown now. After a stop string appears, returns
    /// the text before it and sets `isStopped`; later calls return "".
    public mutating func append(_ text: String) -> String {
        guard !isStopped else { return "" }
        pending.append(contentsOf: text.unicodeScalars)
        if let stopStart = firstStopStart() {
            isStopped = true
            let before = String(String.UnicodeScalarView(pending[..<stopStart]))
            pending.removeAll()
            return before
        }
        let keep = longestSuffixThatStartsAStop()
        let ready = String(String.UnicodeScalarView(pending[..<(pending.count - keep)]))
        pending.removeFirst(pending.count - keep)
        return ready
    }

    /// The held-back text, once generation has ended without a stop string.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return isStopped ? "" : String(String.UnicodeScalarView(pending))
    }

    private func firstStopStart() -> Int? {
        var earliest: Int?
        for stop in stops where stop.count <= pending.count {
            for start in 0...(pending.count - stop.count) where pending[start..<(start + stop.count)].elementsEqual(stop) {
                if start < earliest ?? Int.max { earliest = start }
                break
            }
        }
        return earliest
    }

    private func longestSuffixThatStartsAStop() -> Int {
        var longest = 0
        for stop in stops {
            var length = min(stop.count - 1, pending.count)
            while length > longest {
                if pending[(pending.count - length)...].elementsEqual(stop[..<length]) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        return longest
    }
}
