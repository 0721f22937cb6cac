import SeekChat
@testable import SeekEngine
import SeekTemplate
import SeekTokenizer
import XCTest

/// A chat never stops for a full context: the oldest turns leave the KV cache by a context shift (no
/// recomputation), and each turn computes only the tokens the template added since the last reply.
final class ContextShiftChatTests: XCTestCase {
    private func session(on predictor: any TokenPredictor, maxTokens: Int, system: String?) throws -> (ChatSession, Generator) {
        let tokenizer = try ChatFixture.tokenizer()
        let eos = try XCTUnwrap(tokenizer.eosTokenId)
        let generator = Generator(model: predictor, stopTokenIds: [eos])
        var settings = SamplingSettings()
        settings.parameters.temperature = 0
        settings.maxTokens = maxTokens
        let session = ChatSession(generation: TextGeneration(generator: generator, tokenizer: tokenizer),
                                  formatter: PromptFormatter(tokenizer: tokenizer, template: try ChatTemplate(source: try XCTUnwrap(tokenizer.chatTemplate))),
                                  settings: settings, system: system)
        return (session, generator)
    }

    func testAThirtyTurnChatInASmallContextKeepsAnswering() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let reply = " Fine, thanks."
        let predictor = ScriptedPredictor(script: [], fallback: try XCTUnwrap(tokenizer.eosTokenId), vocabularySize: 102_400, contextSize: 96)
        let (session, generator) = try session(on: predictor, maxTokens: 16, system: "You are terse.")
        var warnings: [ChatWarning] = []
        for turn in 1...30 {
            predictor.script = try tokenizer.encode(reply, addSpecialTokens: false)
            let completion = try session.send("Question number \(turn)?", onWarning: { warnings.append($0) }) { _ in }
            XCTAssertEqual(completion.text, reply, "turn \(turn)")
            XCTAssertEqual(completion.finishReason, .stop, "turn \(turn)")
            XCTAssertLessThanOrEqual(predictor.cachedTokens, 96)
            XCTAssertEqual(generator.cachedIds.count, predictor.cachedTokens)
            if turn > 1 {
                // Only the new message and the template's tags around it are computed, shift or not.
                let added = try tokenizer.encode("<｜end▁of▁sentence｜>User: Question number \(turn)?\n\nAssistant:", addSpecialTokens: false)
                XCTAssertEqual(completion.stats.prefilledTokens, added.count, "turn \(turn): \(completion.stats)")
            }
        }
        XCTAssertEqual(warnings.count, 1, "said once: \(warnings)")
        guard case .olderTurnsDropped(let dropped, let contextSize)? = warnings.first else { return XCTFail("\(warnings)") }
        XCTAssertGreaterThan(dropped, 0)
        XCTAssertEqual(contextSize, 96)
        XCTAssertGreaterThan(session.droppedMessages, 20)
        XCTAssertEqual(session.conversation.messages.count, 60, "the conversation itself keeps every turn")
        XCTAssertEqual(session.conversation.messages.last?.content, "Fine, thanks.")

        // What the cache holds is exactly the visible turns' prompt plus the last reply.
        var visible = Conversation(system: "You are terse.")
        visible.messages = Array(session.conversation.messages[session.droppedMessages...])
        let rendered = try session.formatter.chatText(visible, openReply: false)
        XCTAssertEqual(tokenizer.decode(session.transcriptIds, skipSpecialTokens: false) + "<｜end▁of▁sentence｜>", rendered)
        XCTAssertEqual(predictor.cache, session.transcriptIds)
    }

    func testTheCurrentTurnAloneTooLongIsStillRefused() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let predictor = ScriptedPredictor(script: try tokenizer.encode(" Ok.", addSpecialTokens: false),
                                          fallback: try XCTUnwrap(tokenizer.eosTokenId), vocabularySize: 102_400, contextSize: 40)
        let (session, _) = try session(on: predictor, maxTokens: 8, system: nil)
        _ = try session.send("Hi") { _ in }
        XCTAssertThrowsError(try session.send(String(repeating: "many words here ", count: 20)) { _ in }) {
            guard case .conversationTooLong(_, 40)? = $0 as? ChatError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(session.conversation.messages.count, 2, "the refused turn is taken back")
    }

    /// tiny-chat (DeepSeek's real vocabulary and template) on its real weights: the second turn's prompt
    /// is the first prompt's ids, the generated ids, then the new text's ids; only those are computed.
    func testTheSecondTurnComputesOnlyTheNewMessageOnTinyChat() throws {
        var options = LoadOptions()
        options.contextSize = 512
        let model = try DeepSeekModel.load(folder: TestFolders.fixture("tiny-chat"), options: options)
        let (session, _) = try session(on: model, maxTokens: 8, system: "You are terse.")
        let first = try session.send("What is MLA?") { _ in }
        let firstPrompt = first.stats.promptTokens
        let firstIds = session.transcriptIds
        XCTAssertEqual(firstIds.count, firstPrompt + first.tokens.count)
        XCTAssertEqual(Array(firstIds.suffix(first.tokens.count)), first.tokens)

        let second = try session.send("And then?") { _ in }
        XCTAssertEqual(Array(session.transcriptIds.prefix(firstIds.count)), firstIds, "the reply's ids are kept as generated")
        // Everything of turn 1 is reused; a reply cut by the token limit never fed its last token back,
        // so that one token is computed now with the new text.
        let fed = first.finishReason == .stop ? first.tokens.count : first.tokens.count - 1
        XCTAssertEqual(second.stats.reusedPromptTokens, firstPrompt + fed)
        let newText = try session.formatter.tokenizer.encode("<｜end▁of▁sentence｜>User: And then?\n\nAssistant:", addSpecialTokens: false)
        XCTAssertEqual(second.stats.promptTokens, firstIds.count + newText.count)
        XCTAssertEqual(second.stats.prefilledTokens, newText.count + (first.tokens.count - fed))
    }

    /// After a chat-level shift on tiny-chat's weights, the next token's logits equal those of a fresh
    /// prefill of the ids the cache kept. The model is cut to its first layer: its cached rows depend
    /// only on each token and its position, so this is exact; in deeper layers the kept tokens' states
    /// were computed with the dropped ones in view (as with any KV-cache shift).
    func testLogitsAfterAChatShiftEqualAFreshPrefillOfTheKeptTokens() throws {
        let folder = TestFolders.fixture("tiny-chat")
        var config = try ModelConfig.load(path: folder + "/config.json")
        // The layers cut off stay in the checkpoint; declared as trailing extra (MTP-like) layers, they
        // pass the check that every tensor is used.
        config.numNextNPredictLayers = config.numHiddenLayers - 1
        config.numHiddenLayers = 1
        var options = LoadOptions()
        options.contextSize = 120
        let model = try DeepSeekModel(config: config, store: try TensorStore(folder: folder), folder: folder, options: options)
        let (session, generator) = try session(on: model, maxTokens: 10, system: "You are terse.")
        var shiftTurn: Completion?
        for turn in 1...12 where shiftTurn == nil {
            let before = session.droppedMessages
            let completion = try session.send("Tell me about topic \(turn).") { _ in }
            if session.droppedMessages > before { shiftTurn = completion }
        }
        let shifted = try XCTUnwrap(shiftTurn, "the chat never outgrew its context")
        // The kept turns came from the cache (shifted), not from a recomputation.
        XCTAssertLessThan(shifted.stats.prefilledTokens, 20, "\(shifted.stats)")
        XCTAssertGreaterThan(shifted.stats.reusedPromptTokens, 20)

        let kept = generator.cachedIds
        XCTAssertEqual(model.cachedTokens, kept.count)
        let next = try XCTUnwrap(session.transcriptIds.last)
        let afterShift = try model.forward([next])
        model.resetCache()
        let fresh = try model.forward(kept + [next])
        let difference = zip(afterShift, fresh).map { abs($0 - $1) }.max() ?? .infinity
        print("tiny-chat (layer 0) after a chat shift: max |Δlogit| = \(difference)")
        XCTAssertLessThan(difference, 1e-4)
    }
}
