/// A piece of the text being encoded: scalars `start..<end` of the work buffer, or an added token.
struct Segment {
    var start: Int
    var end: Int
    /// The added token's id, or -1 for ordinary text that still goes through pre-tokenization and BPE.
    var addedTokenId: Int = -1

    var isText: Bool { addedTokenId < 0 }
    var isEmpty: Bool { start == end }
}

/// How a Split pre-tokenizer keeps the delimiters it finds (Hugging Face's SplitDelimiterBehavior).
enum SplitBehavior: String {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// Turns a covering list of (start, end, isMatch) pieces into the kept pieces, dropping empty ones.
    func apply(_ pieces: [(start: Int, end: Int, isMatch: Bool)], into out: inout [Segment]) {
        switch self {
        case .isolated:
            for p in pieces where p.end > p.start { out.append(Segment(start: p.start, end: p.end)) }
        case .removed:
            for p in pieces where !p.isMatch && p.end > p.start { out.append(Segment(start: p.start, end: p.end)) }
        case .contiguous:
            var merged: [(Int, Int)] = []
            var previousMatch = false
            for p in pieces {
                if p.isMatch == previousMatch, !merged.isEmpty { merged[merged.count - 1].1 = p.end } else { merged.append((p.start, p.end)) }
                previousMatch = p.isMatch
            }
            for (s, e) in merged where e > s { out.append(Segment(start: s, end: e)) }
        case .mergedWithPrevious:
            var merged: [(Int, Int)] = []
            var previousMatch = false
            for p in pieces {
                if p.isMatch && !previousMatch, !merged.isEmpty { merged[merged.count - 1].1 = p.end } else { merged.append((p.start, p.end)) }
                previousMatch = p.isMatch
            }
            for (s, e) in merged where e > s { out.append(Segment(start: s, end: e)) }
        case .mergedWithNext:
            var merged: [(Int, Int)] = []
            var previousMatch = false
            for p in pieces.reversed() {
                if p.isMatch && !previousMatch, !merged.isEmpty { merged[merged.count - 1].0 = p.start } else { merged.append((p.start, p.end)) }
                previousMatch = p.isMatch
            }
            for (s, e) in merged.reversed() where e > s { out.append(Segment(start: s, end: e)) }
        }
    }
}
