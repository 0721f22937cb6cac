import Foundation
import SeekJSON

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
    /// What tokenizer.json's post-processor alone would add (tokenizer_config.json may override it).
    private let prefixIdsFromFile: [Int]
    private let suffixIdsFromFile: [Int]
    /// Vocabulary string of each id (nil for gaps).
    private let pieces: [String?]
    /// Decoded bytes of each id: `tokenBytes[tokenOffsets[id]..<tokenOffsets[id + 1]]`.
    private let tokenBytes: [UInt8]
    private let tokenOffsets: [Int]
    private let specialFlags: [Bool]
    /// tokenizer.json's path, for messages.
    private let file: String

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
    /// Problems that do not stop the tokenizer from working but that a user should hear about
    /// (a `bos_token`/`eos_token` the vocabulary lacks). Each names the file.
    public let warnings: [String]

    /// Loads `tokenizer.json` and, when present, `tokenizer_config.json` from a model folder.
    public convenience init(folder: String) throws {
        let url = URL(fileURLWithPath: folder)
        let config = url.appendingPathComponent("tokenizer_config.json").path
        try self.init(tokenizerFile: url.appendingPathComponent("tokenizer.json").path,
                      configFile: FileManager.default.fileExists(atPath: config) ? config : nil)
    }

    /// Loads a tokenizer.json and an optional tokenizer_config.json. Every problem (not JSON, a field of
    /// the wrong kind, an id out of range, a token the vocabulary lacks) is a `TokenizerError` naming the
    /// file; memory stays proportional to the files.
    public convenience init(tokenizerFile: String, configFile: String?) throws {
        try self.init(json: try Self.readJSON(tokenizerFile), config: try configFile.map { path throws(TokenizerError) in try Self.readJSON(path) },
                      tokenizerFile: tokenizerFile, configFile: configFile)
    }

    /// Builds the tokenizer from parsed documents; the file names are for messages only.
    init(json: JSONField, config configJSON: JSONField?, tokenizerFile: String, configFile: String?) throws {
        let config: TokenizerConfig
        if let configJSON {
            do { config = try TokenizerConfig(json: configJSON) } catch { throw TokenizerError(file: configFile ?? "tokenizer_config.json", error) }
        } else {
            config = TokenizerConfig()
        }
        let file = tokenizerFile
        self.file = file
        do {
            _ = try json.object()
            _ = try json["model"].object()
            model = try BPEModel(model: json["model"], file: file)
            normalizer = try Normalizer.load(json["normalizer"], file: file)
            preTokenizer = try PreTokenizer.load(json["pre_tokenizer"], file: file)
            try Self.checkDecoder(json["decoder"], file: file)
            addedTokens = try Self.readAddedTokens(json["added_tokens"])
            (prefixIdsFromFile, suffixIdsFromFile) = try Self.templateIds(json["post_processor"])
        } catch let error as JSONFieldError {
            throw TokenizerError(file: file, error)
        }
        let added = addedTokens
        rawMatcher = AddedTokenMatcher(added.filter { !$0.normalized }, patternFor: \.content)
        let normalizer = self.normalizer
        normalizedMatcher = AddedTokenMatcher(added.filter { $0.normalized }) { token in
            normalizer?.normalize(token.content) ?? token.content
        }

        // Id tables: added tokens take precedence over the model's vocab, as in Hugging Face. An id sizes
        // the tables, so it must stay near the number of tokens the file defines.
        let limit = 2 * (model.entries.count + added.count) + 1024
        var size = 0
        for entry in model.entries where entry.id >= size { size = entry.id + 1 }
        for token in added {
            guard token.id < limit else {
                throw TokenizerError("\(file): added token \"\(token.content)\" has id \(token.id), far beyond the \(model.entries.count + added.count) tokens the file defines")
            }
            if token.id >= size { size = token.id + 1 }
        }
        var pieces = [String?](repeating: nil, count: size)
        var special = [Bool](repeating: false, count: size)
        var addedSeen = [Bool](repeating: false, count: size)
        for entry in model.entries { pieces[entry.id] = entry.text }
        for token in added {
            guard !addedSeen[token.id] else {
                throw TokenizerError("\(file): two added tokens share id \(token.id)")
            }
            addedSeen[token.id] = true
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
        // transformers would silently grow the vocabulary with an unknown special token; a model never
        // saw such an id. Encoding with it is an error (below); otherwise the caller is told.
        var warnings: [String] = []
        for (name, text, tokenId) in [("bos_token", bosToken, bosTokenId), ("eos_token", eosToken, eosTokenId)] {
            if let text, tokenId == nil {
                warnings.append("\(configFile ?? file): \(name) \"\(text)\" is not a token of \((file as NSString).lastPathComponent); it is ignored")
            }
        }
        self.warnings = warnings

        if config.addBosToken != nil || config.addEosToken != nil {
            // transformers rebuilds the post-processor from these flags (LlamaTokenizerFast and kin).
            for (flag, name, text, tokenId) in [(config.addBosToken, "bos_token", bosToken, bosTokenId),
                                                (config.addEosToken, "eos_token", eosToken, eosTokenId)]
            where flag == true && tokenId == nil {
                let problem = text.map { "\"\($0)\" is not a token of \((file as NSString).lastPathComponent)" } ?? "is not set"
                throw TokenizerError("\(configFile ?? file): add_\(name) is true but \(name) \(problem)")
            }
            prefixIds = config.addBosToken == true ? [bosTokenId].compactMap { $0 } : []
            suffixIds = config.addEosToken == true ? [eosTokenId].compactMap { $0 } : []
        } else {
            (prefixIds, suffixIds) = (prefixIdsFromFile, suffixIdsFromFile)
        }
        for id in prefixIds + suffixIds where id >= size {
            throw TokenizerError("\(file): post_processor adds token id \(id), which is not in the vocabulary")
        }
        addBosToken = bosTokenId != nil && prefixIds.first == bosTokenId
    }

    /// A pattern in quotes for a message, shortened when long.
    private static func quoted(_ pattern: String) -> String {
        let shown = pattern.count > 120 ? String(pattern.prefix(117)) + "..." : pattern
        return "\"" + shown.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func readJSON(_ path: String) throws(TokenizerError) -> JSONField {
        let name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizerError("\(name) not found: \(path)")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError("\(path): cannot be read\(isDirectory.boolValue ? " (it is a directory)" : "")")
        }
        do {
            return JSONField(try data.withUnsafeBytes { buffer in
                Result { () throws(JSONSyntaxError) -> JSON in try JSONParser.parse(buffer) }
            }.get())
        } catch {
            throw TokenizerError("\(path): invalid JSON: \(error)")
        }
    }

    private static func readAddedTokens(_ json: JSONField) throws(JSONFieldError) -> [AddedToken] {
        var added: [AddedToken] = []
        for entry in try json.optionalArray() ?? [] {
            added.append(AddedToken(
                id: try entry["id"].int(in: 0...Int(Int32.max - 1)), content: try entry["content"].string(),
                special: try entry["special"].optionalBool() ?? false,
                singleWord: try entry["single_word"].optionalBool() ?? false,
                leftStrip: try entry["lstrip"].optionalBool() ?? false,
                rightStrip: try entry["rstrip"].optionalBool() ?? false,
                normalized: try entry["normalized"].optionalBool() ?? false))
            if added.last!.content.isEmpty { throw entry["content"].error("an added token cannot be empty") }
        }
        return added
    }

    private static func checkDecoder(_ json: JSONField, file: String) throws {
        guard !json.isAbsent else { return }
        let type = try json["type"].string()
        switch type {
        case "ByteLevel": return
        case "Sequence":
            for item in try json["decoders"].array() { try checkDecoder(item, file: file) }
        default:
            throw TokenizerError("\(file): unsupported decoder type \"\(type)\" (only ByteLevel is supported)")
        }
    }

    /// The special-token ids before and after the text in a TemplateProcessing post-processor's
    /// `single` template (ByteLevel and other post-processors add none).
    private static func templateIds(_ json: JSONField) throws(JSONFieldError) -> ([Int], [Int]) {
        guard !json.isAbsent else { return ([], []) }
        switch try json["type"].string() {
        case "Sequence":
            var prefix: [Int] = [], suffix: [Int] = []
            for item in try json["processors"].array() {
                let (p, s) = try templateIds(item)
                prefix += p
                suffix = s + suffix
            }
            return (prefix, suffix)
        case "TemplateProcessing":
            var prefix: [Int] = [], suffix: [Int] = []
            var seenSequence = false
            for piece in try json["single"].array() {
                if !piece["Sequence"].isAbsent { seenSequence = true; continue }
                guard let name = try piece["SpecialToken"]["id"].optionalString() else { continue }
                let ids = try json["special_tokens"][name]["ids"].array().map { id throws(JSONFieldError) in
                    try id.int(in: 0...Int(Int32.max - 1))
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
    /// Throws when the pre-tokenizer's regex runs out of its step budget (`RegexStepBudget`): a pattern
    /// that backtracks catastrophically, named with the file.
    public func encode(_ text: String, addSpecialTokens: Bool = true) throws(TokenizerError) -> [Int] {
        var budget = RegexStepBudget(scalars: text.unicodeScalars.count)
        return try encode(text, addSpecialTokens: addSpecialTokens, budget: &budget)
    }

    /// `encode` paying the regex steps from `budget` (tests measure what real patterns use).
    func encode(_ text: String, addSpecialTokens: Bool, budget: inout RegexStepBudget) throws(TokenizerError) -> [Int] {
        var buffer = text.unicodeScalars.map(\.value)
        var segments = [Segment(start: 0, end: buffer.count)]
        segments = rawMatcher.split(buffer, segments)
        if let normalizer { segments = normalizer.apply(to: &buffer, segments) }
        segments = normalizedMatcher.split(buffer, segments)
        var scratch = PreTokenizer.Scratch()
        do {
            segments = try preTokenizer.apply(to: &buffer, segments, scratch: &scratch, budget: &budget)
        } catch {
            throw TokenizerError("\(file): the pre-tokenizer regex \(Self.quoted(error.pattern)) needs more than "
                                 + "\(budget.limit) matching steps for a text of \(text.unicodeScalars.count) characters "
                                 + "(catastrophic backtracking)")
        }

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
            for i in segment.start..<segment.end { UTF8Bytes.append(Unicode.Scalar(buffer[i]) ?? "\u{FFFD}", to: &word) }
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

    /// `encode(_:addSpecialTokens:)` for text that must fit in `maxTokens` ids (special tokens included).
    /// Throws `TokenLimitExceeded`, or `encode`'s `TokenizerError`.
    ///
    /// Long text is first counted piece by piece (64 KiB pieces cut at line starts, where the
    /// pre-tokenizers of real models split anyway), stopping as soon as the count is beyond doubt, so
    /// a 50 MB prompt fails after its first piece instead of being tokenized whole. Text that may fit
    /// is then tokenized exactly, so the ids are always those of `encode`.
    public func encode(_ text: String, addSpecialTokens: Bool = true, maxTokens: Int) throws -> [Int] {
        let utf8 = text.utf8
        if utf8.count > Self.pieceBytes {
            var counted = addSpecialTokens ? prefixIds.count + suffixIds.count : 0
            var boundaries = 0
            var start = utf8.startIndex
            while start < utf8.endIndex {
                let end = Self.pieceEnd(utf8, from: start)
                counted += try encode(String(Substring(text.unicodeScalars[start..<end])), addSpecialTokens: false).count
                // A cut can at worst split a word the whole text would have kept as fewer tokens.
                let atLeast = counted - boundaries * Self.slackPerCut
                if atLeast > maxTokens { throw TokenLimitExceeded(limit: maxTokens, counted: atLeast) }
                if end < utf8.endIndex { boundaries += 1 }
                start = end
            }
        }
        let ids = try encode(text, addSpecialTokens: addSpecialTokens)
        guard ids.count <= maxTokens else { throw TokenLimitExceeded(limit: maxTokens, counted: ids.count) }
        return ids
    }

    private static let pieceBytes = 64 * 1024
    private static let slackPerCut = 16

    /// Where the piece starting at `start` ends: after the last newline that is followed by a
    /// non-space character in the next 64 KiB, else at the last character boundary there.
    private static func pieceEnd(_ utf8: String.UTF8View, from start: String.Index) -> String.Index {
        guard let limit = utf8.index(start, offsetBy: pieceBytes, limitedBy: utf8.endIndex), limit < utf8.endIndex else {
            return utf8.endIndex
        }
        var i = limit
        var fallback: String.Index?
        while i > start {
            let previous = utf8.index(before: i)
            let byte = utf8[i]
            if fallback == nil && byte & 0xC0 != 0x80 { fallback = i }
            if utf8[previous] == 0x0A && byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 && byte & 0xC0 != 0x80 {
                return i
            }
            i = previous
        }
        return fallback ?? limit
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
