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

    static func load(_ json: JSONValue?, file: String) throws(TokenizerError) -> PreTokenizer {
        var steps: [Step] = []
        try collect(json, into: &steps, file: file)
        return PreTokenizer(steps: steps)
    }

    private static func collect(_ json: JSONValue?, into steps: inout [Step], file: String) throws(TokenizerError) {
        guard let json, !json.isNull else { return }
        let type = json["type"]?.string ?? ""
        switch type {
        case "Sequence":
            for item in json["pretokenizers"]?.array ?? [] { try collect(item, into: &steps, file: file) }
        case "Split":
            let pattern: String
            if let regex = json["pattern"]?["Regex"]?.string {
                pattern = regex
            } else if let literal = json["pattern"]?["String"]?.string {
                pattern = escapedLiteral(literal)
            } else {
                throw TokenizerError("\(file): Split pre-tokenizer without a Regex or String pattern")
            }
            let behaviorName = json["behavior"]?.string ?? "Isolated"
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw TokenizerError("\(file): unknown Split behavior \"\(behaviorName)\"")
            }
            steps.append(.split(try compile(pattern, file: file), behavior, invert: json["invert"]?.bool ?? false))
        case "Digits":
            steps.append(.digits(individual: json["individual_digits"]?.bool ?? false))
        case "ByteLevel":
            let useRegex = json["use_regex"]?.bool ?? true
            steps.append(.byteLevel(addPrefixSpace: json["add_prefix_space"]?.bool ?? true,
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

    /// Runs every step over the text segments (added-token segments pass through untouched).
    func apply(to buffer: inout [UInt32], _ input: [Segment], stack: inout [ScalarRegex.Frame]) -> [Segment] {
        var segments = input
        for step in steps {
            var out: [Segment] = []
            out.reserveCapacity(segments.count * 2)
            for segment in segments {
                guard segment.isText else { out.append(segment); continue }
                run(step, on: segment, buffer: &buffer, stack: &stack, into: &out)
            }
            segments = out
        }
        return segments
    }

    private func run(_ step: Step, on segment: Segment, buffer: inout [UInt32], stack: inout [ScalarRegex.Frame],
                     into out: inout [Segment]) {
        switch step {
        case .split(let regex, let behavior, let invert):
            let pieces = buffer.withUnsafeBufferPointer { text in
                Self.matchPieces(regex, text, segment, invert: invert, stack: &stack)
            }
            behavior.apply(pieces, into: &out)
        case .digits(let individual):
            var pieces: [(start: Int, end: Int, isMatch: Bool)] = []
            var gapStart = segment.start
            for i in segment.start..<segment.end where GeneralCategoryBits.bit(of: buffer[i]) & GeneralCategoryBits.numberMask != 0 {
                if gapStart < i { pieces.append((gapStart, i, false)) }
                pieces.append((i, i + 1, true))
                gapStart = i + 1
            }
            if gapStart < segment.end { pieces.append((gapStart, segment.end, false)) }
            (individual ? SplitBehavior.isolated : .contiguous).apply(pieces, into: &out)
        case .byteLevel(let addPrefixSpace, let regex):
            var piece = segment
            if addPrefixSpace && buffer[segment.start] != 0x20 {
                // Hugging Face prepends the space to every segment that lacks one.
                let start = buffer.count
                buffer.append(0x20)
                buffer.append(contentsOf: buffer[segment.start..<segment.end])
                piece = Segment(start: start, end: buffer.count)
            }
            if let regex {
                run(.split(regex, .isolated, invert: false), on: piece, buffer: &buffer, stack: &stack, into: &out)
            } else {
                out.append(piece)
            }
        }
    }

    /// The covering list of matches and gaps of one segment, as Hugging Face's regex Pattern yields it.
    private static func matchPieces(_ regex: ScalarRegex, _ text: UnsafeBufferPointer<UInt32>, _ segment: Segment,
                                    invert: Bool, stack: inout [ScalarRegex.Frame]) -> [(start: Int, end: Int, isMatch: Bool)] {
        var pieces: [(start: Int, end: Int, isMatch: Bool)] = []
        var previous = segment.start
        regex.forEachMatch(in: text, from: segment.start, to: segment.end, stack: &stack) { start, end in
            if previous != start { pieces.append((previous, start, invert)) }
            pieces.append((start, end, !invert))
            previous = end
        }
        if previous != segment.end { pieces.append((previous, segment.end, invert)) }
        return pieces
    }
}
