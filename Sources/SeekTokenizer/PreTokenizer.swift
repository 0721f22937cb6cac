import SeekJSON

/// The pre-tokenizer of tokenizer.json: a sequence of steps, each cutting every text segment further.
struct PreTokenizer {
    enum Step {
        case split(ScalarRegex, SplitBehavior, invert: Bool)
        case digits(individual: Bool)
        case byteLevel(addPrefixSpace: Bool, regex: ScalarRegex?)
    }

    /// GPT-2's pattern, which the ByteLevel pre-tokenizer applies when `use_regex` is true.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    let steps: [Step]

    static func load(_ json: JSONField, file: String) throws -> PreTokenizer {
        var steps: [Step] = []
        try collect(json, into: &steps, file: file)
        return PreTokenizer(steps: steps)
    }

    private static func collect(_ json: JSONField, into steps: inout [Step], file: String) throws {
        guard !json.isAbsent else { return }
        let type = try json["type"].string()
        switch type {
        case "Sequence":
            for item in try json["pretokenizers"].array() { try collect(item, into: &steps, file: file) }
        case "Split":
            let pattern: String
            if let regex = try json["pattern"]["Regex"].optionalString() {
                pattern = regex
            } else if let literal = try json["pattern"]["String"].optionalString() {
                pattern = escapedLiteral(literal)
            } else {
                throw TokenizerError("\(file): Split pre-tokenizer without a Regex or String pattern")
            }
            let behaviorName = try json["behavior"].optionalString() ?? "Isolated"
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw TokenizerError("\(file): unknown Split behavior \"\(behaviorName)\"")
            }
            steps.append(.split(try compile(pattern, file: file), behavior, invert: try json["invert"].optionalBool() ?? false))
        case "Digits":
            steps.append(.digits(individual: try json["individual_digits"].optionalBool() ?? false))
        case "ByteLevel":
            let useRegex = try json["use_regex"].optionalBool() ?? true
            steps.append(.byteLevel(addPrefixSpace: try json["add_prefix_space"].optionalBool() ?? true,
                                    regex: useRegex ? try compile(gpt2Pattern, file: file) : nil))
        default:
            throw TokenizerError("\(file): unsupported pre_tokenizer type \"\(type)\"")
        }
    }

    private static func compile(_ pattern: String, file: String) throws(TokenizerError) -> ScalarRegex {
        do {
            return try ScalarRegex(pattern: pattern)
        } catch {
            throw TokenizerError("\(file): pre-tokenizer regex: \(error.message)")
        }
    }

    private static func escapedLiteral(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII && !scalar.properties.isAlphabetic && !(0x30...0x39).contains(scalar.value)
                && scalar.value > 0x20 {
                out.unicodeScalars.append("\\")
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Reusable working memory for one encode call.
    struct Scratch {
        var stack: [ScalarRegex.Frame] = []
        var pieces: [(start: Int, end: Int, isMatch: Bool)] = []
    }

    /// Runs every step over the text segments (added-token segments pass through untouched); the
    /// regex steps are paid from `budget`.
    func apply(to buffer: inout [UInt32], _ input: [Segment], scratch: inout Scratch,
               budget: inout RegexStepBudget) throws(RegexStepBudget.Exhausted) -> [Segment] {
        var segments = input
        for step in steps {
            var out: [Segment] = []
            out.reserveCapacity(segments.count * 2)
            for segment in segments {
                guard segment.isText else { out.append(segment); continue }
                try run(step, on: segment, buffer: &buffer, scratch: &scratch, budget: &budget, into: &out)
            }
            segments = out
        }
        return segments
    }

    private func run(_ step: Step, on segment: Segment, buffer: inout [UInt32], scratch: inout Scratch,
                     budget: inout RegexStepBudget, into out: inout [Segment]) throws(RegexStepBudget.Exhausted) {
        switch step {
        case .split(let regex, let behavior, let invert):
            if behavior == .isolated {
                // The common case: every match and every gap is a segment of its own.
                var previous = segment.start
                try buffer.withUnsafeBufferPointer { text throws(RegexStepBudget.Exhausted) in
                    try regex.forEachMatch(in: text, from: segment.start, to: segment.end, stack: &scratch.stack,
                                           budget: &budget) { start, end in
                        if previous != start { out.append(Segment(start: previous, end: start)) }
                        if start != end { out.append(Segment(start: start, end: end)) }
                        previous = end
                    }
                }
                if previous != segment.end { out.append(Segment(start: previous, end: segment.end)) }
                return
            }
            scratch.pieces.removeAll(keepingCapacity: true)
            try buffer.withUnsafeBufferPointer { text throws(RegexStepBudget.Exhausted) in
                try Self.matchPieces(regex, text, segment, invert: invert, scratch: &scratch, budget: &budget)
            }
            behavior.apply(scratch.pieces, into: &out)
        case .digits(let individual):
            // Each number character alone (individual) or each run of them, as Hugging Face's Digits.
            var pieceStart = segment.start
            var i = segment.start
            while i < segment.end {
                guard GeneralCategoryBits.bit(of: buffer[i]) & GeneralCategoryBits.numberMask != 0 else { i += 1; continue }
                if pieceStart < i { out.append(Segment(start: pieceStart, end: i)) }
                var end = i + 1
                if !individual {
                    while end < segment.end && GeneralCategoryBits.bit(of: buffer[end]) & GeneralCategoryBits.numberMask != 0 { end += 1 }
                }
                out.append(Segment(start: i, end: end))
                pieceStart = end
                i = end
            }
            if pieceStart < segment.end { out.append(Segment(start: pieceStart, end: segment.end)) }
        case .byteLevel(false, nil):
            out.append(segment)  // bytes are mapped when the words are encoded
        case .byteLevel(let addPrefixSpace, let regex):
            var piece = segment
            if addPrefixSpace && segment.start < segment.end && buffer[segment.start] != 0x20 {
                // Hugging Face prepends the space to every segment that lacks one (not to empty text:
                // its NormalizedString.prepend does nothing there).
                let start = buffer.count
                buffer.append(0x20)
                buffer.append(contentsOf: buffer[segment.start..<segment.end])
                piece = Segment(start: start, end: buffer.count)
            }
            if let regex {
                try run(.split(regex, .isolated, invert: false), on: piece, buffer: &buffer, scratch: &scratch,
                        budget: &budget, into: &out)
            } else {
                out.append(piece)
            }
        }
    }

    /// The covering list of matches and gaps of one segment, as Hugging Face's regex Pattern yields it.
    private static func matchPieces(_ regex: ScalarRegex, _ text: UnsafeBufferPointer<UInt32>, _ segment: Segment,
                                    invert: Bool, scratch: inout Scratch, budget: inout RegexStepBudget) throws(RegexStepBudget.Exhausted) {
        var previous = segment.start
        try regex.forEachMatch(in: text, from: segment.start, to: segment.end, stack: &scratch.stack, budget: &budget) { start, end in
            if previous != start { scratch.pieces.append((previous, start, invert)) }
            scratch.pieces.append((start, end, !invert))
            previous = end
        }
        if previous != segment.end { scratch.pieces.append((previous, segment.end, invert)) }
    }
}
