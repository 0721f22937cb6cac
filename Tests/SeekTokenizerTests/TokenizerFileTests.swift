import Foundation
import XCTest
import SeekTokenizer

/// Reading tokenizer.json / tokenizer_config.json variants, and the errors for broken files.
final class TokenizerFileTests: XCTestCase {
    func testMergesInStringAndPairFormGiveTheSameIds() throws {
        var tiny = TinyTokenizer()
        tiny.merge("h", "e")
        tiny.merge("l", "l")
        tiny.merge("he", "ll")
        tiny.merge(" ", "w")
        let stringForm = try tiny.load()
        tiny.mergesAsPairs = true
        let pairForm = try tiny.load()
        let expected = [try XCTUnwrap(tiny.id(ofMerged: "hell")), Int(UInt8(ascii: "o")),
                        try XCTUnwrap(tiny.id(ofMerged: " w")), Int(UInt8(ascii: "o"))]
        XCTAssertEqual(try stringForm.encode("hello wo"), expected)
        XCTAssertEqual(try pairForm.encode("hello wo"), expected)
        XCTAssertEqual(pairForm.decode(expected), "hello wo")
    }

    func testMergeRankOrderAndIgnoreMerges() throws {
        var tiny = TinyTokenizer()
        tiny.merge("b", "c")  // rank 0: "abc" becomes a + bc
        tiny.merge("a", "b")
        tiny.merge("ab", "c")
        let byRank = try tiny.load()
        let a = Int(UInt8(ascii: "a"))
        XCTAssertEqual(try byRank.encode("abc"), [a, try XCTUnwrap(tiny.id(ofMerged: "bc"))])
        tiny.ignoreMerges = true
        let whole = try tiny.load()
        XCTAssertEqual(try whole.encode("abc"), [try XCTUnwrap(tiny.id(ofMerged: "abc"))], "whole-word vocab hit")
    }

    func testQwenStyleTokenizerJSON() throws {
        var tiny = TinyTokenizer()
        tiny.merge(" ", "a")
        tiny.merge("'", "s")
        tiny.preTokenizer = [
            "type": "Sequence",
            "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": RegexTests.qwen2], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false],
            ],
        ]
        let tokenizer = try tiny.load(config: ["add_bos_token": false, "bos_token": NSNull(), "eos_token": "<|endoftext|>"])
        let spaceA = try XCTUnwrap(tiny.id(ofMerged: " a"))
        let apostropheS = try XCTUnwrap(tiny.id(ofMerged: "'s"))
        let t = Int(UInt8(ascii: "t"))
        // "t's a 12": t | 's | " a" | " " | 1 | 2 (Qwen splits digits one by one)
        XCTAssertEqual(try tokenizer.encode("t's a 12"), [t, apostropheS, spaceA, 32, 49, 50])
        XCTAssertFalse(tokenizer.addBosToken)
        XCTAssertNil(tokenizer.bosTokenId)
    }

    func testConfigVariants() throws {
        var tiny = TinyTokenizer()
        tiny.addedTokens = [TinyTokenizer.addedToken("<s>", id: 300, special: true),
                            TinyTokenizer.addedToken("</s>", id: 301, special: true)]
        // Plain-string special tokens, BOS on, and the named-template list form.
        let plain = try tiny.load(config: [
            "bos_token": "<s>", "eos_token": "</s>", "add_bos_token": true,
            "chat_template": [["name": "tool_use", "template": "T"], ["name": "default", "template": "D"]],
        ])
        XCTAssertEqual(plain.bosToken, "<s>")
        XCTAssertEqual(plain.bosTokenId, 300)
        XCTAssertEqual(plain.eosTokenId, 301)
        XCTAssertTrue(plain.addBosToken)
        XCTAssertEqual(plain.chatTemplate, "D")
        XCTAssertEqual(try plain.encode("a"), [300, 97])
        XCTAssertEqual(try plain.encode("a", addSpecialTokens: false), [97])

        // No add_bos_token in the config: the TemplateProcessing post-processor decides (Llama-3 style).
        tiny.postProcessor = [
            "type": "TemplateProcessing",
            "single": [["SpecialToken": ["id": "<s>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
            "pair": [],
            "special_tokens": ["<s>": ["id": "<s>", "ids": [300], "tokens": ["<s>"]]],
        ]
        let templated = try tiny.load(config: ["bos_token": ["__type": "AddedToken", "content": "<s>"]])
        XCTAssertTrue(templated.addBosToken)
        XCTAssertEqual(try templated.encode("a"), [300, 97])
        XCTAssertNil(templated.chatTemplate)

        // add_bos_token false overrides the template, as transformers does for Llama tokenizers.
        let off = try tiny.load(config: ["bos_token": "<s>", "add_bos_token": false])
        XCTAssertFalse(off.addBosToken)
        XCTAssertEqual(try off.encode("a"), [97])
    }

    func testMissingFileErrorNamesTheFile() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seek-no-such-\(UUID().uuidString)").path
        XCTAssertThrowsError(try Tokenizer(folder: folder)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("tokenizer.json"), message)
            XCTAssertTrue(message.contains(folder), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
    }

    func testMalformedFilesGiveOneLineErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seek-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("tokenizer.json")
        let broken: [(String, String)] = [
            (#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [}"#, "invalid JSON"),
            (#"{"model": {"type": "Unigram", "vocab": []}}"#, "Unigram"),
            (#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}"#, "merge #0"),
            (#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a a a"]}}"#, "merge #0"),
            (#"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(?<=x)"}}, "model": {"type": "BPE", "vocab": {}, "merges": []}}"#, "lookbehind"),
            (#"{"normalizer": {"type": "Lowercase"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}"#, "normalizer"),
            ("", "invalid JSON"),
        ]
        for (text, expected) in broken {
            try Data(text.utf8).write(to: file)
            XCTAssertThrowsError(try Tokenizer(folder: folder.path), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(file.path), message)
                XCTAssertTrue(message.contains(expected), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        // A broken tokenizer_config.json is named too.
        try Data(TinyTokenizer().jsonData).write(to: file)
        let config = folder.appendingPathComponent("tokenizer_config.json")
        try Data("{\"bos_token\": ".utf8).write(to: config)
        XCTAssertThrowsError(try Tokenizer(folder: folder.path)) { error in
            XCTAssertTrue("\(error)".contains(config.path), "\(error)")
        }
    }

    func testLoadingTheDeepSeekVocabularyIsFast() throws {
        guard let folder = SharedData.path("tokenizer") else { return }
        let start = Date()
        let tokenizer = try Tokenizer(folder: folder)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(tokenizer.vocabularySize, 100_015)
        XCTAssertTrue(tokenizer.addBosToken)
        XCTAssertEqual(tokenizer.piece(for: 207), "Ġ")
        XCTAssertNotNil(tokenizer.chatTemplate)
        // Generous bound for a shared, busy machine; TokenizerBench reports the real figure.
        XCTAssertLessThan(elapsed, 3.0)
    }
}

extension TinyTokenizer {
    var jsonData: Data { (try? JSONSerialization.data(withJSONObject: json)) ?? Data() }
}
