import SeekChat
import SeekEngine
import SeekTemplate
import SeekTokenizer
import XCTest

/// A chat's turns on a scripted model: what the conversation keeps after a reply, a cancel or an
/// error, and that a follow-up turn only computes its new tokens.
final class ChatSessionTests: XCTestCase {
    private struct Setup {
        let session: ChatSession
        let predictor: ScriptedPredictor
        let tokenizer: Tokenizer
    }

    private func makeSession(script: [Int] = [], contextSize: Int = 512, withTemplate: Bool = true,
                             system: String? = "Be brief.") throws -> Setup {
        let tokenizer = try ChatFixture.tokenizer()
        let eos = try XCTUnwrap(tokenizer.eosTokenId)
        let predictor = ScriptedPredictor(script: script, fallback: eos, vocabularySize: 102_400, contextSize: contextSize)
        let template = withTemplate ? try ChatTemplate(source: try XCTUnwrap(tokenizer.chatTemplate)) : nil
        var settings = SamplingSettings()
        settings.parameters.temperature = 0
        let session = ChatSession(generation: TextGeneration(generator: Generator(model: predictor, stopTokenIds: [eos]), tokenizer: tokenizer),
                                  formatter: PromptFormatter(tokenizer: tokenizer, template: template),
                                  settings: settings, system: system)
        return Setup(session: session, predictor: predictor, tokenizer: tokenizer)
    }

    func testATurnAddsTheMessageAndTheReplyAndTheNextTurnReusesTheCache() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let setup = try makeSession(script: try tokenizer.encode("Hi there.", addSpecialTokens: false))
        let session = setup.session
        var streamed = ""
        let first = try session.send("Hello") { streamed += $0 }
        XCTAssertEqual(first.text, "Hi there.")
        XCTAssertEqual(streamed, first.text)
        XCTAssertEqual(session.conversation.messages, [.init(role: "user", content: "Hello"), .init(role: "assistant", content: "Hi there.")])
        XCTAssertEqual(session.conversation.system, "Be brief.")
        XCTAssertEqual(first.stats.reusedPromptTokens, 0)

        // The prompt the model saw is the chat template's rendering of the conversation so far.
        var asked = Conversation(system: "Be brief.")
        asked.messages = [.init(role: "user", content: "Hello")]
        XCTAssertEqual(setup.predictor.computed.first, try session.formatter.chatIds(asked))

        setup.predictor.script = try tokenizer.encode("Fine.", addSpecialTokens: false)
        let second = try session.send("How are you?") { _ in }
        XCTAssertEqual(second.text, "Fine.")
        XCTAssertEqual(session.conversation.messages.count, 4)
        // Everything up to the first reply was in the cache already.
        XCTAssertGreaterThanOrEqual(second.stats.reusedPromptTokens, try session.formatter.chatIds(asked).count)
        XCTAssertEqual(second.stats.prefilledTokens, second.stats.promptTokens - second.stats.reusedPromptTokens)
        XCTAssertEqual(session.lastStats, second.stats)
    }

    func testAFailedTurnIsTakenBack() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let setup = try makeSession(script: try tokenizer.encode("Hi there.", addSpecialTokens: false))
        let session = setup.session
        _ = try session.send("Hello") { _ in }
        let before = session.conversation
        setup.predictor.failingCall = setup.predictor.forwardCalls + 1  // fails while decoding the reply
        setup.predictor.script = try tokenizer.encode("A long reply", addSpecialTokens: false)
        var streamed = ""
        XCTAssertThrowsError(try session.send("And then?") { streamed += $0 }) {
            XCTAssertEqual($0 as? ScriptedPredictor.Failure, ScriptedPredictor.Failure())
        }
        XCTAssertFalse(streamed.isEmpty, "the failure came after the reply had started")
        XCTAssertEqual(session.conversation, before)

        // The session goes on: the next turn works and reuses what is still valid in the cache.
        setup.predictor.failingCall = nil
        setup.predictor.script = try tokenizer.encode("Ok.", addSpecialTokens: false)
        XCTAssertEqual(try session.send("Again") { _ in }.text, "Ok.")
        XCTAssertEqual(session.conversation.messages.map(\.content), ["Hello", "Hi there.", "Again", "Ok."])
    }

    func testAConversationLongerThanTheContextIsRefusedAndTakenBack() throws {
        let setup = try makeSession(contextSize: 24)
        let session = setup.session
        let long = String(repeating: "many words here ", count: 20)
        XCTAssertThrowsError(try session.send(long) { _ in }) { error in
            guard case .conversationTooLong(let tokens, let capacity)? = error as? ChatError else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(tokens, 24)
            XCTAssertEqual(capacity, 24)
            XCTAssertFalse("\(error)".contains("--"), "the library names no flag: \(error)")
        }
        XCTAssertTrue(session.conversation.messages.isEmpty)
        XCTAssertEqual(setup.predictor.forwardCalls, 0)
    }

    func testCancellingBeforeAnyTextTakesTheTurnBackAndAfterSomeKeepsIt() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let setup = try makeSession(script: try tokenizer.encode("one two three four five", addSpecialTokens: false))
        let session = setup.session
        let nothing = try session.send("Hello", isCancelled: { true }) { _ in XCTFail("no text after an immediate cancel") }
        XCTAssertEqual(nothing.finishReason, .cancelled)
        XCTAssertTrue(session.conversation.messages.isEmpty)

        var checks = 0
        var streamed = ""
        let partial = try session.send("Hello", isCancelled: { checks += 1; return checks > 3 }) { streamed += $0 }
        XCTAssertEqual(partial.finishReason, .cancelled)
        XCTAssertFalse(partial.text.isEmpty)
        XCTAssertEqual(streamed, partial.text)
        XCTAssertEqual(session.conversation.messages, [.init(role: "user", content: "Hello"), .init(role: "assistant", content: partial.text)])
    }

    func testWithoutATemplateEachMessageIsCompletedAsPlainText() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let setup = try makeSession(script: try tokenizer.encode(" world", addSpecialTokens: false), withTemplate: false, system: nil)
        let session = setup.session
        XCTAssertFalse(session.canChat)
        XCTAssertEqual(try session.send("Hello") { _ in }.text, " world")
        XCTAssertEqual(setup.predictor.computed.first, try tokenizer.encode("Hello", addSpecialTokens: true))
        XCTAssertThrowsError(try session.formatter.chatIds(session.conversation)) {
            XCTAssertEqual($0 as? ChatError, .noChatTemplate)
        }
    }

    func testSettingsByNameReachTheSampler() throws {
        let setup = try makeSession()
        XCTAssertThrowsError(try setup.session.set("top_p", to: "2"))
        XCTAssertEqual(setup.session.settings.parameters.topP, SamplingParameters().topP)
        try setup.session.set("max_tokens", to: "2")
        setup.predictor.script = try ChatFixture.tokenizer().encode("one two three four", addSpecialTokens: false)
        XCTAssertEqual(try setup.session.send("Count") { _ in }.tokens.count, 2)
        setup.session.clear()
        XCTAssertTrue(setup.session.conversation.messages.isEmpty)
        XCTAssertEqual(setup.session.conversation.system, "Be brief.")
        XCTAssertEqual(setup.session.contextUsed, 0)
    }
}
