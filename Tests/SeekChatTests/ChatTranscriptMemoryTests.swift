import SeekChat
import SeekEngine
import SeekTemplate
import SeekTokenizer
import XCTest

/// What `seek serve` remembers of its replies: a conversation resent whole gets exactly the prompt ids a
/// `ChatSession` computed, even when a reply's text re-tokenizes to other ids than the generated ones.
final class ChatTranscriptMemoryTests: XCTestCase {
    /// A reply generated one character per token: its text tokenizes to fewer, other ids.
    private func characterIds(_ text: String, _ tokenizer: Tokenizer) throws -> [Int] {
        try text.flatMap { try tokenizer.encode(String($0), addSpecialTokens: false) }
    }

    func testAResentConversationGetsTheLocalChatsIds() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let eos = try XCTUnwrap(tokenizer.eosTokenId)
        let reply = " Psalm twenty"
        let generated = try characterIds(reply, tokenizer)
        XCTAssertNotEqual(try tokenizer.encode(reply, addSpecialTokens: false), generated, "the reply must re-tokenize differently")
        XCTAssertEqual(tokenizer.decode(generated, skipSpecialTokens: false), reply)

        let predictor = ScriptedPredictor(script: generated, fallback: eos, vocabularySize: 102_400)
        let formatter = PromptFormatter(tokenizer: tokenizer, template: try ChatTemplate(source: try XCTUnwrap(tokenizer.chatTemplate)))
        var settings = SamplingSettings()
        settings.parameters.temperature = 0
        let session = ChatSession(generation: TextGeneration(generator: Generator(model: predictor, stopTokenIds: [eos]), tokenizer: tokenizer),
                                  formatter: formatter, settings: settings, system: "Be brief.")
        let first = try session.send("Which psalm?") { _ in }
        XCTAssertEqual(first.tokens, generated)
        predictor.script = try tokenizer.encode("Fine.", addSpecialTokens: false)
        let second = try session.send("And then?") { _ in }
        let localPrompt = Array(session.transcriptIds.dropLast(second.tokens.count))

        // The server: the first turn's prompt, then its reply remembered as the client saw it stream.
        let memory = ChatTranscriptMemory(tokenizer: tokenizer)
        var turn1 = Conversation(system: "Be brief.")
        turn1.messages = [.init(role: "user", content: "Which psalm?")]
        let prompt1 = try memory.prompt(forRendered: try formatter.chatText(turn1))
        XCTAssertEqual(prompt1.ids, try formatter.chatIds(turn1))
        memory.remember(prompt1, replyIds: generated, replyText: reply)

        // A client keeps the reply as the local chat does (leading space dropped) or as streamed.
        for content in [String(reply.dropFirst()), reply] {
            var turn2 = turn1
            turn2.messages += [.init(role: "assistant", content: content), .init(role: "user", content: "And then?")]
            let rendered = try formatter.chatText(turn2)
            XCTAssertEqual(try memory.prompt(forRendered: rendered).ids, localPrompt, content)
            XCTAssertNotEqual(try formatter.ids(ofRendered: rendered), localPrompt, "re-tokenizing the whole rendering differs")
        }
    }

    func testATextThatDoesNotContinueARememberedOneIsTokenizedWhole() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let formatter = PromptFormatter(tokenizer: tokenizer, template: try ChatTemplate(source: try XCTUnwrap(tokenizer.chatTemplate)))
        let memory = ChatTranscriptMemory(tokenizer: tokenizer, capacity: 2)
        var turn1 = Conversation(system: nil)
        turn1.messages = [.init(role: "user", content: "Which psalm?")]
        let reply = " Psalm twenty"
        memory.remember(try memory.prompt(forRendered: try formatter.chatText(turn1)), replyIds: try characterIds(reply, tokenizer), replyText: reply)

        // The client edited the reply: nothing remembered applies.
        var edited = turn1
        edited.messages += [.init(role: "assistant", content: "Hymn one"), .init(role: "user", content: "And then?")]
        let rendered = try formatter.chatText(edited)
        XCTAssertEqual(try memory.prompt(forRendered: rendered).ids, try formatter.ids(ofRendered: rendered))

        // A reply cut by a stop string (its ids spell more than its text): the next turn is tokenized
        // whole, as ChatSession does, not continued from an earlier turn.
        var cut = turn1
        cut.messages += [.init(role: "assistant", content: reply.trimmingCharacters(in: .whitespaces)), .init(role: "user", content: "More")]
        let cutPrompt = try memory.prompt(forRendered: try formatter.chatText(cut))
        XCTAssertNotEqual(cutPrompt.ids, try formatter.ids(ofRendered: try formatter.chatText(cut)), "continues the remembered turn")
        memory.remember(cutPrompt, replyIds: try characterIds(" Psalm", tokenizer), replyText: " Ps")
        var afterCut = cut
        afterCut.messages += [.init(role: "assistant", content: "Ps"), .init(role: "user", content: "Go on")]
        let afterCutText = try formatter.chatText(afterCut)
        XCTAssertEqual(try memory.prompt(forRendered: afterCutText).ids, try formatter.ids(ofRendered: afterCutText))
    }

    func testTheLeastRecentlyUsedTranscriptLeavesFirst() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let formatter = PromptFormatter(tokenizer: tokenizer, template: try ChatTemplate(source: try XCTUnwrap(tokenizer.chatTemplate)))
        let memory = ChatTranscriptMemory(tokenizer: tokenizer, capacity: 2)
        let reply = " Psalm twenty"
        let ids = try characterIds(reply, tokenizer)
        func turn(_ question: String) throws -> Conversation {
            var conversation = Conversation(system: nil)
            conversation.messages = [.init(role: "user", content: question)]
            return conversation
        }
        func followUp(_ question: String) throws -> String {
            var conversation = try turn(question)
            conversation.messages += [.init(role: "assistant", content: "Psalm twenty"), .init(role: "user", content: "And?")]
            return try formatter.chatText(conversation)
        }
        for question in ["One?", "Two?", "Three?"] {
            memory.remember(try memory.prompt(forRendered: try formatter.chatText(try turn(question))), replyIds: ids, replyText: reply)
        }
        XCTAssertEqual(memory.count, 2)
        let one = try followUp("One?"), three = try followUp("Three?")
        XCTAssertEqual(try memory.prompt(forRendered: one).ids, try formatter.ids(ofRendered: one), "the oldest left")
        XCTAssertNotEqual(try memory.prompt(forRendered: three).ids, try formatter.ids(ofRendered: three), "the newest is kept")
    }
}
