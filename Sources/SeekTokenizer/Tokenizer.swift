import Foundation

/// A Hugging Face byte-level BPE tokenizer (tokenizer.json + tokenizer_config.json), producing the same
/// ids as the `tokenizers` library for DeepSeek, GPT-2, Llama-3 and Qwen style tokenizers.
public final class Tokenizer: @unchecked Sendable {  // the only mutable state is the lock-guarded cache
    private let model: BPEModel
    private let addedTokens: [AddedToken]
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let normalizer: Normalizer?
    private let preTokenizer: PreTokenizer
    /// Ids put around the text when special tokens are added (BOS, and EOS where configured).
    private let prefixIds: [Int]
    private let suffixIds: [Int]
    /// Vocabulary string of each id (nil for gaps).
    private let pieces: [String?]
    /// Decoded bytes of each id: `tokenBytes[tokenOffsets[id]..<tokenOffsets[id + 1]]`.
    private let tokenBytes: [UInt8]
    private let tokenOffsets: [Int]
    private let specialFlags: [Bool]

    private let cacheLock = NSLock()
    private var wordCache: [[UInt8]: [Int]] = [:]
    private static let cacheLimit = 200_000

    /// The BOS token text from tokenizer_config.json, if any.
    public let bosToken: String?
    /// The EOS token text from tokenizer_config.json, if any.
    public let eosToken: String?
    /// The id of `bosToken` (nil when there is none or the vocabulary lacks it).
    public let bosTokenId: Int?
    /// The id of `eosToken`; generation stops there.
    public let eosTokenId: Int?
    /// Whether `encode(_, addSpecialTokens: true)` starts with BOS.
    public let addBosToken: Bool
    /// The Jinja chat template from tokenizer_config.json (the "default" one of a named list).
    public let chatTemplate: String?
    /// One past the largest id the tokenizer knows (vocab and added tokens).
    public let vocabularySize: Int

    /// Loads `tokenizer.json` and, when present, `tokenizer_config.json` from a model folder.
    public convenience init(folder: String) throws {
        let url = URL(fileURLWithPath: folder)
        let config = url.appendingPathComponent("tokenizer_config.json").path
        try self.init(tokenizerFile: url.appendingPathComponent("tokenizer.json").path,
                      configFile: FileManager.default.fileExists(atPath: config) ? config : nil)
    }

    /// Loads a tokenizer.json and an optional tokenizer_config.json.
    public init(tokenizerFile: String, configFile: String?) throws {
        let json = try Self.readJSON(tokenizerFile)
        guard json.object != nil else { throw TokenizerError("\(tokenizerFile): expected a JSON object") }
        let config = try configFile.map { path throws(TokenizerError) in
            try TokenizerConfig(json: try Self.readJSON(path), file: path)
        } ?? TokenizerConfig()

        guard let modelJSON = json["model"], modelJSON.object != nil else {
            throw TokenizerError("\(tokenizerFile): no \"model\" object")
        }
        model = try BPEModel(model: modelJSON, file: tokenizerFile)
        normalizer = try Normalizer.load(json["normalizer"], file: tokenizerFile)
        preTokenizer = try PreTokenizer.load(json["pre_tokenizer"], file: tokenizerFile)
        try Self.checkDecoder(json["decoder"], file: tokenizerFile)

        var added: [AddedToken] = []
        for entry in json["added_tokens"]?.array ?? [] {
            guard let id = entry["id"]?.int, id >= 0, let content = entry["content"]?.string else {
                throw TokenizerError("\(tokenizerFile): an added_tokens entry lacks an id or content")
            }
            added.append(AddedToken(
                id: id, content: content, special: entry["special"]?.bool ?? false,
                singleWord: entry["single_word"]?.bool ?? false, leftStrip: entry["lstrip"]?.bool ?? false,
                rightStrip: entry["rstrip"]?.bool ?? false, normalized: entry["normalized"]?.bool ?? false))
        }
        addedTokens = added
        rawMatcher = AddedTokenMatcher(added.filter { !$0.normalized }, patternFor: \.content)
        let normalizer = self.normalizer
        normalizedMatcher = AddedTokenMatcher(added.filter { $0.normalized }) { token in
            normalizer?.normalize(token.content) ?? token.content
        }

        // Id tables: added tokens take precedence over the model's vocab, as in Hugging Face.
        var size = 0
        for entry in model.entries where entry.id >= size { size = entry.id + 1 }
        for token in added where token.id >= size { size = token.id + 1 }
        var pieces = [String?](repeating: nil, count: size)
        var special = [Bool](repeating: false, count: size)
        for entry in model.entries { pieces[entry.id] = entry.text }
        for token in added {
            pieces[token.id] = token.content
            special[token.id] = token.special
        }
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(size + 1)
        for piece in pieces {
            if let piece { bytes += ByteLevel.bytes(of: piece) }
            offsets.append(bytes.count)
        }
        self.pieces = pieces
        specialFlags = special
        tokenBytes = bytes
        tokenOffsets = offsets
        vocabularySize = size

        let vocab = model.vocab
        let id = { (text: String?) -> Int? in
            guard let text else { return nil }
            return added.first(where: { $0.content == text })?.id ?? vocab.lookup(text)
        }
        bosToken = config.bosToken
        eosToken = config.eosToken
        bosTokenId = id(config.bosToken)
        eosTokenId = id(config.eosToken)
        chatTemplate = config.chatTemplate

        if config.addBosToken != nil || config.addEosToken != nil {
            // transformers rebuilds the post-processor from these flags (LlamaTokenizerFast and kin).
            prefixIds = config.addBosToken == true ? [bosTokenId].compactMap { $0 } : []
            suffixIds = config.addEosToken == true ? [eosTokenId].compactMap { $0 } : []
        } else {
            (prefixIds, suffixIds) = try Self.templateIds(json["post_processor"], file: tokenizerFile)
        }
        addBosToken = bosTokenId != nil && prefixIds.first == bosTokenId
    }

    private static func readJSON(_ path: String) throws(TokenizerError) -> JSONValue {
        let name = (path as NSString).lastPathComponent
        guard FileManager.default.fileExists(atPath: path) else {
            throw TokenizerError("\(name) not found: \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError("\(path): cannot be read")
        }
        do {
            return try JSONParser.parse([UInt8](data))
        } catch {
            throw TokenizerError("\(path): \(error.message)")
        }
    }

    private static func checkDecoder(_ json: JSONValue?, file: String) throws(TokenizerError) {
        guard let json, !json.isNull else { return }
        let type = json["type"]?.string ?? ""
        switch type {
        case "ByteLevel": return
        case "Sequence":
            for item in json["decoders"]?.array ?? [] { try checkDecoder(item, file: file) }
        default:
            throw TokenizerError("\(file): unsupported decoder type \"\(type)\" (only ByteLevel is supported)")
        }
    }

    /// The special-token ids before and after the text in a TemplateProcessing post-processor's
    /// `single` template (ByteLevel and other post-processors add none).
    private static func templateIds(_ json: JSONValue?, file: String) throws(TokenizerError) -> ([Int], [Int]) {
        guard let json, !json.isNull else { return ([], []) }
        switch json["type"]?.string ?? "" {
        case "Sequence":
            var prefix: [Int] = [], suffix: [Int] = []
            for item in json["processors"]?.array ?? [] {
                let (p, s) = try templateIds(item, file: file)
                prefix += p
                suffix = s + suffix
            }
            return (prefix, suffix)
        case "TemplateProcessing":
            var prefix: [Int] = [], suffix: [Int] = []
            var seenSequence = false
            for piece in json["single"]?.array ?? [] {
                if piece["Sequence"] != nil { seenSequence = true; continue }
                guard let name = piece["SpecialToken"]?["id"]?.string else { continue }
                guard let ids = json["special_tokens"]?[name]?["ids"]?.array?.compactMap(\.int) else {
                    throw TokenizerError("\(file): post_processor template uses \"\(name)\" without its ids")
                }
                if seenSequence { suffix += ids } else { prefix += ids }
            }
            return (prefix, suffix)
        default:
            return ([], [])
        }
    }

    // MARK: Encoding

    /// Token ids of `text`; with `addSpecialTokens`, BOS first iff `addBosToken` (and EOS last where the
    /// configuration asks for it). Added tokens in the text (such as "<｜end▁of▁sentence｜>") become their ids.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var buffer = text.unicodeScalars.map(\.value)
        var segments = [Segment(start: 0, end: buffer.count)]
        segments = rawMatcher.split(buffer, segments)
        if let normalizer { segments = normalizer.apply(to: &buffer, segments) }
        segments = normalizedMatcher.split(buffer, segments)
        var scratch = PreTokenizer.Scratch()
        segments = preTokenizer.apply(to: &buffer, segments, scratch: &scratch)

        var ids: [Int] = addSpecialTokens ? prefixIds : []
        ids.reserveCapacity(buffer.count / 2 + 4)
        var word: [UInt8] = []
        cacheLock.lock()
        // Work on a local copy-free handle to the cache (no exclusivity checks per access).
        var cache = wordCache
        wordCache = [:]
        defer {
            wordCache = cache
            cacheLock.unlock()
        }
        for segment in segments {
            if !segment.isText { ids.append(segment.addedTokenId); continue }
            word.removeAll(keepingCapacity: true)
            for i in segment.start..<segment.end { appendUTF8(Unicode.Scalar(buffer[i]) ?? "\u{FFFD}", to: &word) }
            if let cached = cache[word] {
                ids.append(contentsOf: cached)
                continue
            }
            let first = ids.count
            model.encode(word: word, into: &ids)
            if word.count < 256 {
                if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[word] = Array(ids[first...])
            }
        }
        if addSpecialTokens { ids += suffixIds }
        return ids
    }

    // MARK: Decoding

    /// The text of `ids` (invalid UTF-8 becomes U+FFFD). Ids the tokenizer does not know decode to nothing.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        var bytes: [UInt8] = []
        for id in ids { appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the bytes a token stands for (nothing for unknown ids or skipped special tokens).
    func appendBytes(of id: Int, skipSpecialTokens: Bool, to bytes: inout [UInt8]) {
        guard id >= 0, id < vocabularySize, pieces[id] != nil else { return }
        if skipSpecialTokens && specialFlags[id] { return }
        bytes.append(contentsOf: tokenBytes[tokenOffsets[id]..<tokenOffsets[id + 1]])
    }

    /// The raw vocabulary string of a token ("Ġthe"), nil for ids the tokenizer does not know.
    public func piece(for id: Int) -> String? {
        guard id >= 0, id < vocabularySize else { return nil }
        return pieces[id]
    }

    /// Whether the id is a special added token (BOS, EOS, ...), which decoding skips by default.
    public func isSpecial(_ id: Int) -> Bool {
        id >= 0 && id < vocabularySize && specialFlags[id]
    }
}
