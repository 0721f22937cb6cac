import Foundation
import XCTest
import SeekTokenizer

/// The DeepSeek tokenizer against ids produced by Hugging Face tokenizers and by llama.cpp's test vectors.
final class OracleTests: XCTestCase {
    func testCasesMatchHuggingFace() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(),
              let path = SharedData.path("tokenizer/cases.jsonl") else { return }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 314)
        var failures = 0
        for line in lines {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let text = try XCTUnwrap(json["text"] as? String)
            let ids = try XCTUnwrap(json["ids"] as? [Int])
            let idsWithBos = try XCTUnwrap(json["ids_with_bos"] as? [Int])
            let decoded = try XCTUnwrap(json["decoded"] as? String)
            let got = try tokenizer.encode(text, addSpecialTokens: false)
            if got != ids {
                failures += 1
                XCTFail("encode \(text.debugDescription.prefix(120)): got \(got.prefix(40)) want \(ids.prefix(40))")
            }
            XCTAssertEqual(try tokenizer.encode(text), idsWithBos, "with BOS: \(text.debugDescription.prefix(80))")
            // `decoded` is Hugging Face's decode of `ids` keeping special tokens.
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), decoded, "decode: \(text.debugDescription.prefix(80))")
            XCTAssertEqual(tokenizer.decode(idsWithBos), tokenizer.decode(ids), "BOS is skipped: \(text.debugDescription.prefix(80))")
        }
        XCTAssertEqual(failures, 0)
    }

    func testLlamaCppVectors() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(),
              let inp = SharedData.path("tokenizer/peer-llama.cpp/ggml-vocab-deepseek-llm.gguf.inp"),
              let out = SharedData.path("tokenizer/peer-llama.cpp/ggml-vocab-deepseek-llm.gguf.out") else { return }
        // Cases end with "\n__ggml_vocab_test__\n" (the file ends with one too); one line of ids per case.
        var inputs = try String(contentsOfFile: inp, encoding: .utf8).components(separatedBy: "\n__ggml_vocab_test__\n")
        if inputs.last == "" { inputs.removeLast() }
        var outputs = try String(contentsOfFile: out, encoding: .utf8).components(separatedBy: "\n")
        if outputs.last == "" { outputs.removeLast() }
        XCTAssertEqual(inputs.count, 46)
        XCTAssertEqual(outputs.count, inputs.count)
        for (text, expected) in zip(inputs, outputs) {
            let want = expected.split(separator: " ").compactMap { Int($0) }
            XCTAssertEqual(try tokenizer.encode(text, addSpecialTokens: false), want, "input \(text.debugDescription)")
        }
    }

    func testTinyChatTextCases() throws {
        guard let path = SharedData.path("fixtures/tiny-chat/reference.json"),
              let folder = SharedData.path("fixtures/tiny-chat") else { return }
        let tokenizer = try Tokenizer(folder: folder)
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let cases = try XCTUnwrap(reference["text_cases"] as? [[String: Any]])
        XCTAssertFalse(cases.isEmpty)
        var rawCases = 0
        for textCase in cases {
            let greedy = try XCTUnwrap(textCase["greedy_ids"] as? [Int])
            let expectedText = try XCTUnwrap(textCase["text_until_eos"] as? String)
            if textCase["mode"] as? String == "raw" {
                rawCases += 1
                let prompt = try XCTUnwrap(textCase["prompt"] as? String)
                XCTAssertEqual(try tokenizer.encode(prompt), textCase["prompt_ids"] as? [Int], prompt)
            }
            let eos = try XCTUnwrap(tokenizer.eosTokenId)
            let untilEos = Array(greedy.prefix { $0 != eos })
            XCTAssertEqual(tokenizer.decode(untilEos), expectedText)
            // The streaming decoder must agree with one-shot decoding.
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var streamed = ""
            for id in untilEos { streamed += stream.append(id) }
            streamed += stream.finish()
            XCTAssertEqual(streamed, expectedText)
        }
        XCTAssertGreaterThan(rawCases, 0)
    }

    func testConcurrentEncodingAgreesWithSerialEncoding() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer() else { return }
        let texts = ["Hello, world! 你好，世界。", "func f(x: Int) -> Int { x * 2 }\n", "1234567890 ½ 😀 é",
                     String(repeating: "DeepSeek 深度求索 ", count: 50)]
        let expected = try texts.map { try tokenizer.encode($0) }
        final class Counter: @unchecked Sendable {  // guarded by lock
            let lock = NSLock()
            var mismatches = 0
        }
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            let k = i % texts.count
            if (try? tokenizer.encode(texts[k])) != expected[k] { counter.lock.lock(); counter.mismatches += 1; counter.lock.unlock() }
        }
        XCTAssertEqual(counter.mismatches, 0)
    }
}
