/// A backtracking regex matcher over Unicode scalars with Oniguruma's semantics (leftmost match,
/// alternatives tried in order), for the pre-tokenizer patterns of byte-level BPE tokenizers.
///
/// Swift's own Regex is far too slow for tokenizing megabytes, so patterns compile to a small instruction
/// program; classes get a 64 Ki-bit table for the BMP so that the hot loops are one bit test per scalar.
final class ScalarRegex: @unchecked Sendable {  // immutable after init
    enum Instruction {
        case scalar(UInt32)
        case set(Int)
        case loopSet(set: Int, min: Int, max: Int, greedy: Bool)
        case split(prefer: Int, other: Int)
        case jump(Int)
        case assert(RegexAssertion)
        case look(program: Int, negative: Bool)
        case atomic(program: Int)
        case match
    }

    /// A backtracking point. kind 0: resume at pc/pos; 1: greedy loop that may give back scalars down to
    /// `bound`; 2: lazy loop that may take more scalars of `set` up to `bound`.
    struct Frame {
        var pc: Int
        var pos: Int
        var bound: Int
        var kind: Int
        var set: Int
    }

    let pattern: String
    /// All programs' instructions back to back (plain values, so no reference counting while matching).
    private let code: UnsafeMutablePointer<Instruction>
    private let programStarts: [Int]
    private let sets: [ScalarSet]
    /// 64 Ki bits per set: membership of every BMP scalar.
    private let bitmaps: UnsafeMutablePointer<UInt64>
    private static let wordsPerSet = 1024
    /// Scalars that can start a match (nil when the pattern can match the empty string).
    private let firstSet: Int?
    /// The program starts with an unbounded loop over this set: after a failed attempt, later starts
    /// inside the same run of the set fail too (their reachable ends are a subset), so skip them.
    private let leadingLoopSet: Int?

    init(pattern: String) throws(RegexSyntaxError) {
        self.pattern = pattern
        let tree = try RegexParser.parse(pattern)
        var compiler = Compiler()
        _ = try compiler.compileProgram(tree)
        let first = Compiler.firstScalars(of: tree)
        firstSet = first.nullable ? nil : try compiler.addSet(ScalarSet(items: first.items))
        if case .loopSet(let set, let min, let max, _) = compiler.programs[0][0], min >= 1, max == Int.max {
            leadingLoopSet = set
        } else {
            leadingLoopSet = nil
        }
        let flat = compiler.programs.flatMap { $0 }
        code = UnsafeMutablePointer<Instruction>.allocate(capacity: flat.count)
        code.initialize(from: flat, count: flat.count)
        var starts: [Int] = []
        var offset = 0
        for program in compiler.programs { starts.append(offset); offset += program.count }
        programStarts = starts
        sets = compiler.sets
        let words = Self.wordsPerSet
        bitmaps = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, sets.count * words))
        for (index, set) in sets.enumerated() {
            let bits = set.bmpBitmap()
            for w in 0..<words { bitmaps[index * words + w] = bits[w] }
        }
    }

    deinit {
        bitmaps.deallocate()
        code.deallocate()
    }
}

/// Turns a syntax tree into instruction programs (the main one is program 0; lookarounds and atomic
/// groups get their own).
private struct Compiler {
    typealias Instruction = ScalarRegex.Instruction
    var programs: [[Instruction]] = []
    var sets: [ScalarSet] = []
    /// Instructions in all programs so far.
    private var size = 0

    /// Bounds on what a pattern may compile to: counted repetition multiplies its body (`(?:ab){50000}`),
    /// and each set takes an 8 KiB bitmap. Real pre-tokenizer patterns need a few hundred instructions
    /// and a few dozen sets.
    static let maxInstructions = 100_000
    static let maxSets = 512

    mutating func addSet(_ set: ScalarSet) throws(RegexSyntaxError) -> Int {
        guard sets.count < Self.maxSets else {
            throw RegexSyntaxError(message: "the pattern needs more than \(Self.maxSets) character sets")
        }
        sets.append(set)
        return sets.count - 1
    }

    /// Appends to a program under construction, within `maxInstructions` over all programs.
    private mutating func append(_ instruction: Instruction, to code: inout [Instruction]) throws(RegexSyntaxError) {
        size += 1
        guard size <= Self.maxInstructions else {
            throw RegexSyntaxError(message: "the pattern compiles to more than \(Self.maxInstructions) instructions (too much repetition)")
        }
        code.append(instruction)
    }

    mutating func compileProgram(_ node: RegexNode) throws(RegexSyntaxError) -> Int {
        let index = programs.count
        programs.append([])
        var code: [Instruction] = []
        try emit(node, into: &code)
        code.append(.match)
        programs[index] = code
        return index
    }

    private mutating func emit(_ node: RegexNode, into code: inout [Instruction]) throws(RegexSyntaxError) {
        switch node {
        case .empty:
            break
        case .scalar(let c):
            try append(.scalar(c), to: &code)
        case .set(let set):
            let index = try addSet(set)
            try append(.set(index), to: &code)
        case .any(let dotAll):
            let index = try addSet(Self.anySet(dotAll: dotAll))
            try append(.set(index), to: &code)
        case .sequence(let items):
            for item in items { try emit(item, into: &code) }
        case .alternation(let branches):
            var jumpsToEnd: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = code.count
                    try append(.split(prefer: split + 1, other: -1), to: &code)
                    try emit(branch, into: &code)
                    jumpsToEnd.append(code.count)
                    try append(.jump(-1), to: &code)
                    code[split] = .split(prefer: split + 1, other: code.count)
                } else {
                    try emit(branch, into: &code)
                }
            }
            for j in jumpsToEnd { code[j] = .jump(code.count) }
        case .loop(let body, let min, let max, let kind):
            if kind == .possessive {
                let program = try compileProgram(.loop(body, min: min, max: max, kind: .greedy))
                try append(.atomic(program: program), to: &code)
                return
            }
            let greedy = kind == .greedy
            if let set = singleScalarSet(body) {
                let index = try addSet(set)
                try append(.loopSet(set: index, min: min, max: max ?? Int.max, greedy: greedy), to: &code)
                return
            }
            if Self.firstScalars(of: body).nullable && max == nil {
                throw RegexSyntaxError(message: "unbounded repetition of an expression that can match nothing")
            }
            for _ in 0..<min { try emit(body, into: &code) }
            if let max {
                var exits: [Int] = []
                for _ in min..<max {
                    exits.append(code.count)
                    try append(.jump(-1), to: &code)
                    try emit(body, into: &code)
                }
                for e in exits {
                    code[e] = greedy ? .split(prefer: e + 1, other: code.count) : .split(prefer: code.count, other: e + 1)
                }
            } else {
                let top = code.count
                try append(.jump(-1), to: &code)
                try emit(body, into: &code)
                try append(.jump(top), to: &code)
                code[top] = greedy ? .split(prefer: top + 1, other: code.count)
                    : .split(prefer: code.count, other: top + 1)
            }
        case .lookahead(let body, let negative):
            let program = try compileProgram(body)
            try append(.look(program: program, negative: negative), to: &code)
        case .atomic(let body):
            let program = try compileProgram(body)
            try append(.atomic(program: program), to: &code)
        case .assertion(let assertion):
            try append(.assert(assertion), to: &code)
        }
    }

    private func singleScalarSet(_ node: RegexNode) -> ScalarSet? {
        switch node {
        case .scalar(let c): return .single(c)
        case .set(let set): return set
        case .any(let dotAll): return Self.anySet(dotAll: dotAll)
        default: return nil
        }
    }

    private static func anySet(dotAll: Bool) -> ScalarSet {
        var set = ScalarSet(items: dotAll ? [] : [.range(0x0A, 0x0A)])
        set.negated = true
        return set
    }

    /// The scalars a match can start with, and whether the node can match without consuming any.
    static func firstScalars(of node: RegexNode) -> (items: [ScalarSet.Item], nullable: Bool) {
        switch node {
        case .empty, .assertion, .lookahead:
            return ([], true)
        case .scalar(let c):
            return ([.range(c, c)], false)
        case .set(let set):
            return ([.nested(set)], false)
        case .any(let dotAll):
            return ([.nested(anySet(dotAll: dotAll))], false)
        case .sequence(let items):
            var result: [ScalarSet.Item] = []
            for item in items {
                let first = firstScalars(of: item)
                result += first.items
                if !first.nullable { return (result, false) }
            }
            return (result, true)
        case .alternation(let branches):
            var result: [ScalarSet.Item] = []
            var nullable = false
            for branch in branches {
                let first = firstScalars(of: branch)
                result += first.items
                nullable = nullable || first.nullable
            }
            return (result, nullable)
        case .loop(let body, let min, _, _):
            let first = firstScalars(of: body)
            return (first.items, first.nullable || min == 0)
        case .atomic(let body):
            return firstScalars(of: body)
        }
    }

}

extension ScalarRegex {
    // MARK: Matching

    @inline(__always)
    private func contains(_ set: Int, _ c: UInt32) -> Bool {
        if c < 0x10000 {
            return bitmaps[set &* Self.wordsPerSet &+ Int(c >> 6)] >> UInt64(c & 63) & 1 != 0
        }
        return sets[set].contains(c)
    }

    /// Calls `body(start, end)` for each successive match in `text[lo..<hi]` (the slice is the whole
    /// subject: anchors see its bounds), skipping an empty match right after the previous one, as the
    /// Oniguruma iterator used by Hugging Face tokenizers does. Every step of the matcher is paid from
    /// `budget`; running out throws, so no pattern can backtrack without end.
    func forEachMatch(in text: UnsafeBufferPointer<UInt32>, from lo: Int, to hi: Int, stack: inout [Frame],
                      budget: inout RegexStepBudget, _ body: (Int, Int) -> Void) throws(RegexStepBudget.Exhausted) {
        var from = lo
        var lastEnd = -1
        while from <= hi {
            guard let (start, end) = try search(text, from: from, lo: lo, hi: hi, stack: &stack, budget: &budget) else { return }
            if start == end && end == lastEnd {
                from += 1
                continue
            }
            body(start, end)
            from = end
            lastEnd = end
        }
    }

    private func search(_ text: UnsafeBufferPointer<UInt32>, from: Int, lo: Int, hi: Int,
                        stack: inout [Frame], budget: inout RegexStepBudget) throws(RegexStepBudget.Exhausted) -> (Int, Int)? {
        var s = from
        while s <= hi {
            if let firstSet {
                let skipped = s
                while s < hi && !contains(firstSet, text[s]) { s += 1 }
                budget.remaining &-= s &- skipped
                if s >= hi { return nil }
            }
            let end = matchAt(program: 0, start: s, text, lo: lo, hi: hi, stack: &stack, steps: &budget.remaining)
            if end == Self.outOfSteps {
                stack.removeAll(keepingCapacity: true)
                throw RegexStepBudget.Exhausted(pattern: pattern)
            }
            if end >= 0 { return (s, end) }
            if let skip = leadingLoopSet, s < hi, contains(skip, text[s]) {
                let skipped = s
                s += 1
                while s < hi && contains(skip, text[s]) { s += 1 }
                budget.remaining &-= s &- skipped
                continue
            }
            s += 1
        }
        return nil
    }

    /// `matchAt`'s result when `steps` ran out.
    private static let outOfSteps = -2

    /// Runs one program anchored at `start`; returns the end of the first match found, -1 when there is
    /// none, or `outOfSteps`. Each instruction, each scalar a loop scans and each backtrack costs a step.
    private func matchAt(program: Int, start: Int, _ text: UnsafeBufferPointer<UInt32>, lo: Int, hi: Int,
                         stack: inout [Frame], steps: inout Int) -> Int {
        let base = stack.count
        var pc = 0
        var pos = start
        let code = self.code + programStarts[program]
        do {
            while true {
                var ok = true
                steps &-= 1
                if steps < 0 || stack.count > RegexStepBudget.maxChoicePoints {
                    stack.removeSubrange(base...)
                    return Self.outOfSteps
                }
                switch code[pc] {
                case .scalar(let c):
                    if pos < hi && text[pos] == c { pos += 1; pc += 1 } else { ok = false }
                case .set(let set):
                    if pos < hi && contains(set, text[pos]) { pos += 1; pc += 1 } else { ok = false }
                case .loopSet(let set, let min, let max, let greedy):
                    let limit = max == Int.max ? hi : Swift.min(hi, pos + max)
                    if greedy {
                        var end = pos
                        while end < limit && contains(set, text[end]) { end += 1 }
                        steps &-= end &- pos
                        if end - pos < min {
                            ok = false
                        } else {
                            if end > pos + min { stack.append(Frame(pc: pc + 1, pos: end, bound: pos + min, kind: 1, set: set)) }
                            pos = end
                            pc += 1
                        }
                    } else {
                        var end = pos
                        while end < pos + min && end < limit && contains(set, text[end]) { end += 1 }
                        steps &-= end &- pos
                        if end < pos + min {
                            ok = false
                        } else {
                            if end < limit { stack.append(Frame(pc: pc + 1, pos: end, bound: limit, kind: 2, set: set)) }
                            pos = end
                            pc += 1
                        }
                    }
                case .split(let prefer, let other):
                    stack.append(Frame(pc: other, pos: pos, bound: 0, kind: 0, set: 0))
                    pc = prefer
                case .jump(let target):
                    pc = target
                case .assert(let assertion):
                    if check(assertion, at: pos, text, lo: lo, hi: hi) { pc += 1 } else { ok = false }
                case .look(let sub, let negative):
                    let end = matchAt(program: sub, start: pos, text, lo: lo, hi: hi, stack: &stack, steps: &steps)
                    if end == Self.outOfSteps {
                        stack.removeSubrange(base...)
                        return end
                    }
                    if (end >= 0) != negative { pc += 1 } else { ok = false }
                case .atomic(let sub):
                    let end = matchAt(program: sub, start: pos, text, lo: lo, hi: hi, stack: &stack, steps: &steps)
                    if end == Self.outOfSteps {
                        stack.removeSubrange(base...)
                        return end
                    }
                    if end >= 0 { pos = end; pc += 1 } else { ok = false }
                case .match:
                    stack.removeSubrange(base...)
                    return pos
                }
                if ok { continue }
                // Backtrack to the most recent choice point of this program.
                var resumed = false
                while !resumed {
                    if stack.count == base { return -1 }
                    steps &-= 1
                    let top = stack.count - 1
                    let frame = stack[top]
                    switch frame.kind {
                    case 0:
                        stack.removeLast()
                        pc = frame.pc
                        pos = frame.pos
                        resumed = true
                    case 1:
                        let end = frame.pos - 1
                        if end > frame.bound { stack[top].pos = end } else { stack.removeLast() }
                        pc = frame.pc
                        pos = end
                        resumed = true
                    default:
                        if frame.pos < frame.bound && contains(frame.set, text[frame.pos]) {
                            let end = frame.pos + 1
                            if end < frame.bound { stack[top].pos = end } else { stack.removeLast() }
                            pc = frame.pc
                            pos = end
                            resumed = true
                        } else {
                            stack.removeLast()
                        }
                    }
                }
            }
        }
    }

    private func check(_ assertion: RegexAssertion, at pos: Int, _ text: UnsafeBufferPointer<UInt32>,
                       lo: Int, hi: Int) -> Bool {
        switch assertion {
        case .lineStart: return pos == lo || text[pos - 1] == 0x0A
        case .lineEnd: return pos == hi || text[pos] == 0x0A
        case .textStart: return pos == lo
        case .textEnd: return pos == hi
        case .textEndOrFinalNewline: return pos == hi || (pos == hi - 1 && text[pos] == 0x0A)
        case .wordBoundary, .notWordBoundary:
            let before = pos > lo && UnicodeClasses.isWord(text[pos - 1])
            let after = pos < hi && UnicodeClasses.isWord(text[pos])
            return (before != after) == (assertion == .wordBoundary)
        }
    }
}
