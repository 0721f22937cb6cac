import SeekEngine
import SeekTokenizer

/// A model that "predicts" a fixed script: each forward pass makes the next scripted token the only
/// likely one (then `fallback`, e.g. end of sequence, once the script runs out). It keeps a real cache
/// count, so the generator's prefix reuse and the context limit behave as with a model.
final class ScriptedPredictor: TokenPredictor {
    let vocabularySize: Int
    let contextSize: Int
    var script: [Int]
    var fallback: Int
    /// The forward call (counted from 0) that throws `Failure`, to test error handling.
    var failingCall: Int?
    private(set) var cache: [Int] = []
    private(set) var forwardCalls = 0
    /// Every token list the generator asked to compute.
    private(set) var computed: [[Int]] = []

    struct Failure: Error, Equatable {}

    init(script: [Int], fallback: Int, vocabularySize: Int, contextSize: Int = 512) {
        self.script = script
        self.fallback = fallback
        self.vocabularySize = vocabularySize
        self.contextSize = contextSize
    }

    var cachedTokens: Int { cache.count }
    func truncateCache(to length: Int) { cache.removeSubrange(min(length, cache.count)...) }
    func removeCachedTokens(in range: Range<Int>) { cache.removeSubrange(range.clamped(to: 0..<cache.count)) }

    func forward(_ tokens: [Int], allLogits: Bool) throws -> [Float] {
        defer { forwardCalls += 1 }
        if forwardCalls == failingCall { throw Failure() }
        guard cache.count + tokens.count <= contextSize else {
            throw ContextError.full(cached: cache.count, adding: tokens.count, capacity: contextSize)
        }
        cache += tokens
        computed.append(tokens)
        let next = script.isEmpty ? fallback : script.removeFirst()
        var logits = [Float](repeating: 0, count: vocabularySize)
        logits[next] = 10
        return logits
    }
}

/// tiny-chat's tokenizer (DeepSeek's real vocabulary and chat template), loaded once.
enum ChatFixture {
    nonisolated(unsafe) private static var cached: Tokenizer?

    static func tokenizer() throws -> Tokenizer {
        if let cached { return cached }
        let tokenizer = try Tokenizer(folder: TestFolders.fixture("tiny-chat"))
        cached = tokenizer
        return tokenizer
    }

    /// The id of the token that stands for one raw byte (byte-level BPE spells byte b as one
    /// printable character, GPT-2's bytes_to_unicode).
    static func byteToken(_ byte: UInt8, in tokenizer: Tokenizer) -> Int? {
        let piece = byteCharacters[Int(byte)]
        return (0..<tokenizer.vocabularySize).first { tokenizer.piece(for: $0) == piece }
    }

    private static let byteCharacters: [String] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var mapped = printable
        var extra = 0
        for b in 0..<256 where !printable.contains(b) {
            printable.append(b)
            mapped.append(256 + extra)
            extra += 1
        }
        var table = [String](repeating: "", count: 256)
        for (b, c) in zip(printable, mapped) { table[b] = String(Character(Unicode.Scalar(UInt32(c))!)) }
        return table
    }()
}
