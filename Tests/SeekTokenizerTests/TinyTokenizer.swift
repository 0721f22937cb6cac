import Foundation
import SeekTokenizer

/// Builds small tokenizer.json documents for unit tests: ids 0–255 are the 256 byte tokens (id = byte value),
/// followed by the merged tokens in merge order.
struct TinyTokenizer {
    /// GPT-2's bytes_to_unicode, written out independently of the library's table.
    static let byteCharacters: [String] = {
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

    /// The byte-level spelling of text ("Ġ" for a space).
    static func spell(_ text: String) -> String { text.utf8.map { byteCharacters[Int($0)] }.joined() }

    var merges: [(String, String)] = []
    var addedTokens: [[String: Any]] = []
    var preTokenizer: Any = ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true]
    var postProcessor: Any = NSNull()
    var ignoreMerges = false
    var mergesAsPairs = false

    /// Id of a merged token: 256 + its merge index.
    func id(ofMerged text: String) -> Int? {
        let spelled = Self.spell(text)
        return merges.firstIndex { $0.0 + $0.1 == spelled }.map { 256 + $0 }
    }

    var json: [String: Any] {
        var vocab: [String: Int] = [:]
        for (b, c) in Self.byteCharacters.enumerated() { vocab[c] = b }
        for (i, merge) in merges.enumerated() { vocab[merge.0 + merge.1] = 256 + i }
        let mergeList: [Any] = merges.map { mergesAsPairs ? [$0.0, $0.1] as Any : "\($0.0) \($0.1)" as Any }
        return [
            "version": "1.0",
            "added_tokens": addedTokens,
            "normalizer": NSNull(),
            "pre_tokenizer": preTokenizer,
            "post_processor": postProcessor,
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "vocab": vocab, "merges": mergeList, "ignore_merges": ignoreMerges,
                      "dropout": NSNull(), "unk_token": NSNull()] as [String: Any],
        ]
    }

    /// Adds a merge of two byte-level spellings of plain text pieces.
    mutating func merge(_ left: String, _ right: String) {
        merges.append((Self.spell(left), Self.spell(right)))
    }

    static func addedToken(_ content: String, id: Int, special: Bool, lstrip: Bool = false, rstrip: Bool = false,
                           singleWord: Bool = false) -> [String: Any] {
        ["id": id, "content": content, "special": special, "lstrip": lstrip, "rstrip": rstrip,
         "single_word": singleWord, "normalized": false]
    }

    func load(config: Any? = nil) throws -> Tokenizer {
        try Tokenizer(folder: makeTokenizerFolder(tokenizer: json, config: config))
    }
}
