import Foundation
import SeekEngine
import SeekTokenizer

/// A `BatchTokenPredictor` without weights: the logits after a token favour its successor in a script
/// (any token outside the script is followed by the script's first token), with a runner-up two logits
/// below, so greedy decoding replays the script. It records every forward call, can slow each one down
/// (so concurrent requests overlap) and can be told to fail.
public final class ScriptedPredictor: BatchTokenPredictor, @unchecked Sendable {  // state behind `lock`
    public let contextSize: Int
    public let vocabularySize: Int
    private let successor: [Int: Int]
    private let first: Int
    private let runnerUp: Int
    private let lock = NSLock()
    private var caches: [SequenceID: [Int]] = [:]
    private var nextID = 0
    private var calls: [[SequenceStep]] = []
    private var released: [SequenceID] = []
    public var delay: TimeInterval = 0
    public var failOnCall: Int?

    /// `script`: the reply's ids; when `loops`, the last token is followed by the first again (a reply
    /// that never ends by itself).
    public init(script: [Int], loops: Bool, runnerUp: Int, vocabularySize: Int, contextSize: Int = 512) {
        precondition(Set(script).count == script.count, "script tokens must be distinct")
        var successor: [Int: Int] = [:]
        for (a, b) in zip(script, script.dropFirst()) { successor[a] = b }
        if loops, let last = script.last { successor[last] = script[0] }
        self.successor = successor
        first = script[0]
        self.runnerUp = runnerUp
        self.vocabularySize = vocabularySize
        self.contextSize = contextSize
    }

    public func makeSequence() throws -> SequenceID {
        lock.withLock {
            defer { nextID += 1 }
            caches[SequenceID(nextID)] = []
            return SequenceID(nextID)
        }
    }

    public func releaseSequence(_ sequence: SequenceID) {
        lock.withLock {
            caches[sequence] = nil
            released.append(sequence)
        }
    }

    public func cachedTokens(of sequence: SequenceID) -> Int {
        lock.withLock { caches[sequence]?.count ?? 0 }
    }

    public func truncate(_ sequence: SequenceID, to length: Int) {
        lock.withLock {
            guard var cache = caches[sequence] else { return }
            cache.removeSubrange(min(length, cache.count)...)
            caches[sequence] = cache
        }
    }

    public func removeCachedTokens(of sequence: SequenceID, in range: Range<Int>) {
        lock.withLock {
            guard var cache = caches[sequence] else { return }
            cache.removeSubrange(range.clamped(to: 0..<cache.count))
            caches[sequence] = cache
        }
    }

    public func forward(_ steps: [SequenceStep]) throws -> [[Float]] {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return try lock.withLock {
            calls.append(steps)
            if let failOnCall, calls.count == failOnCall { throw ScriptedFailure("scripted failure") }
            return try steps.map { step in
                guard caches[step.sequence] != nil else { throw ScriptedFailure("unknown \(step.sequence)") }
                guard Set(steps.map(\.sequence)).count == steps.count else { throw ScriptedFailure("a sequence twice in one call") }
                caches[step.sequence]! += step.tokens
                guard caches[step.sequence]!.count <= contextSize else { throw ScriptedFailure("context overflow") }
                return logits(after: step.tokens.last!)
            }
        }
    }

    private func logits(after token: Int) -> [Float] {
        var row = [Float](repeating: 0, count: vocabularySize)
        row[runnerUp] = 8
        row[successor[token] ?? first] = 10
        return row
    }

    // MARK: - What the tests inspect

    public var forwardCalls: [[SequenceStep]] { lock.withLock { calls } }
    public var releasedSequences: [SequenceID] { lock.withLock { released } }
    public func cache(of sequence: SequenceID) -> [Int] { lock.withLock { caches[sequence] ?? [] } }
    /// Tokens fed to a sequence over all calls.
    public func tokensFed(to sequence: SequenceID) -> Int {
        lock.withLock { calls.joined().filter { $0.sequence == sequence }.reduce(0) { $0 + $1.tokens.count } }
    }
}

/// The reply the test server's predictor is scripted to give.
public enum ScriptedReply {
    /// Several tokens per word, and an emoji whose bytes span several tokens.
    public static let text = "The Lord is my shepherd 🦙 I shall not want."

    /// The token two logits behind the script's at every step (" and", not in the script).
    public static func runnerUpId(_ tokenizer: Tokenizer) throws -> Int {
        try tokenizer.encode(" and", addSpecialTokens: false)[0]
    }

    /// A predictor that replays `text` greedily: ending with end-of-sequence, or looping forever.
    public static func predictor(for model: TinyChatModel, endsWithEOS: Bool, contextSize: Int) throws -> ScriptedPredictor {
        let tokenizer = model.tokenizer
        let reply = try tokenizer.encode(text, addSpecialTokens: false)
        let script = endsWithEOS ? reply + [tokenizer.eosTokenId ?? 1] : reply
        let runnerUp = try runnerUpId(tokenizer)
        return ScriptedPredictor(script: script, loops: !endsWithEOS, runnerUp: runnerUp,
                                 vocabularySize: tokenizer.vocabularySize, contextSize: contextSize)
    }
}

/// What the scripted predictor and model throw when a test makes them fail.
public struct ScriptedFailure: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
