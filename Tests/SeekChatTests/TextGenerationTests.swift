import SeekChat
import SeekEngine
import SeekTokenizer
import XCTest

/// Text out of tokens: UTF-8 characters split across tokens, stop strings across tokens, end of sequence.
final class TextGenerationTests: XCTestCase {
    private var greedy: SamplingSettings {
        var settings = SamplingSettings()
        settings.parameters.temperature = 0
        return settings
    }

    /// Generates the scripted tokens after a short prompt; returns the completion and the streamed pieces.
    private func generate(_ script: [Int], stop: [String] = [], maxTokens: Int = -1,
                          isCancelled: @escaping () -> Bool = { false }) throws -> (Completion, [String]) {
        let tokenizer = try ChatFixture.tokenizer()
        let eos = try XCTUnwrap(tokenizer.eosTokenId)
        let predictor = ScriptedPredictor(script: script, fallback: eos, vocabularySize: 102_400)
        let generation = TextGeneration(generator: Generator(model: predictor, stopTokenIds: [eos]), tokenizer: tokenizer)
        var settings = greedy
        settings.stop = stop
        settings.maxTokens = maxTokens
        var sampler = Sampler(settings.parameters)
        var pieces: [String] = []
        let completion = try generation.complete(promptIds: try tokenizer.encode("Hello"), settings: settings, sampler: &sampler,
                                                 isCancelled: isCancelled) { pieces.append($0) }
        return (completion, pieces)
    }

    func testACharacterSplitAcrossTokensIsStreamedWhole() throws {
        let tokenizer = try ChatFixture.tokenizer()
        // "中" is E4 B8 AD and "é" is C3 A9: each byte its own token.
        let bytes: [UInt8] = [0xE4, 0xB8, 0xAD, 0xC3, 0xA9]
        let script = try bytes.map { try XCTUnwrap(ChatFixture.byteToken($0, in: tokenizer), "byte \($0)") }
        let all = try tokenizer.encode("ab", addSpecialTokens: false) + script
        let (completion, pieces) = try generate(all)
        XCTAssertEqual(completion.text, "ab中é")
        XCTAssertEqual(completion.finishReason, .stop)
        XCTAssertEqual(completion.tokens, all)  // the end-of-sequence token is not part of the reply
        XCTAssertEqual(pieces.joined(), completion.text)
        XCTAssertFalse(pieces.contains { $0.contains("\u{FFFD}") }, "a piece held half a character: \(pieces)")
        XCTAssertTrue(pieces.contains("中"), "\(pieces)")
    }

    func testAnUnfinishedCharacterAtTheEndBecomesAReplacementCharacter() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let script = try [UInt8(0x61), 0xE4, 0xB8].map { try XCTUnwrap(ChatFixture.byteToken($0, in: tokenizer)) }
        let (completion, pieces) = try generate(script)
        XCTAssertEqual(completion.text, "a\u{FFFD}")
        XCTAssertEqual(pieces.joined(), completion.text)
    }

    func testAStopStringAcrossTokensCutsTheReplyAndIsNeverShown() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let text = "The answer is forty-two. User: more"
        let script = try tokenizer.encode(text, addSpecialTokens: false)
        XCTAssertGreaterThan(script.count, 6)
        let (completion, pieces) = try generate(script, stop: ["User:"])
        XCTAssertEqual(completion.text, "The answer is forty-two. ")
        XCTAssertEqual(completion.finishReason, .stop)
        XCTAssertEqual(pieces.joined(), completion.text)
        XCTAssertFalse(pieces.joined().contains("User"))
        // Generation stopped at the token that completed the stop string, not at the end of the script.
        XCTAssertLessThan(completion.tokens.count, script.count)
    }

    func testTextHeldBackForAPossibleStopIsReleasedWhenItIsNotOne() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let text = "Use the User manual."
        let (completion, pieces) = try generate(try tokenizer.encode(text, addSpecialTokens: false), stop: ["User:"])
        XCTAssertEqual(completion.text, text)
        XCTAssertEqual(pieces.joined(), text)
        XCTAssertEqual(completion.finishReason, .stop)  // the end-of-sequence token
    }

    func testTheTokenLimitAndCancelling() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let script = try tokenizer.encode("one two three four five six", addSpecialTokens: false)
        let (limited, _) = try generate(script, maxTokens: 3)
        XCTAssertEqual(limited.tokens, Array(script.prefix(3)))
        XCTAssertEqual(limited.text, tokenizer.decode(Array(script.prefix(3))))
        XCTAssertEqual(limited.finishReason, .length)

        var asked = 0
        let (cancelled, pieces) = try generate(script) { asked += 1; return asked > 3 }
        XCTAssertEqual(cancelled.finishReason, .cancelled)
        XCTAssertEqual(pieces.joined(), cancelled.text)
        XCTAssertFalse(cancelled.text.isEmpty)
        XCTAssertLessThan(cancelled.tokens.count, script.count)
    }
}
