import Foundation
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// A chat client resends the whole conversation each turn. The server remembers its replies' ids, so
/// the next prompt holds the reply as it was generated (as the local chat's cache does), not its text
/// re-tokenized, which can give other ids and so another greedy continuation.
final class ReplyReuseTests: XCTestCase {
    private func body(_ messages: [(String, String)]) throws -> String {
        let object: [String: Any] = ["messages": messages.map { ["role": $0.0, "content": $0.1] }, "return_token_ids": true]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func testTheNextTurnKeepsTheRepliesGeneratedIds() async throws {
        let tokenizer = try TinyChatModel().tokenizer
        // Generated one character per token: " Psalm" tokenizes to fewer, other ids.
        let script = try " Psalm".flatMap { try tokenizer.encode(String($0), addSpecialTokens: false) }
        XCTAssertNotEqual(try tokenizer.encode(" Psalm", addSpecialTokens: false), script)
        let server = try await TestServer.start(script: script) { $0.scheduler = .init(parallel: 1, queueLimit: 0) }
        do {
            let question = [("system", "Be brief."), ("user", "Which psalm?")]
            let first = try await server.post("/v1/chat/completions", try body(question))
            XCTAssertEqual(first.status, 200, first.body)
            let reply = try XCTUnwrap(first.json[path: "choices.0.message.content"] as? String)
            XCTAssertEqual(reply, " Psalm")
            XCTAssertEqual(first.json[path: "choices.0.token_ids"] as? [Int], script)
            let firstPrompt = try XCTUnwrap(first.json["prompt_token_ids"] as? [Int])

            let conversation = question + [("assistant", reply), ("user", "And then?")]
            let second = try await server.post("/v1/chat/completions", try body(conversation))
            XCTAssertEqual(second.status, 200, second.body)
            let secondPrompt = try XCTUnwrap(second.json["prompt_token_ids"] as? [Int])

            // The first prompt's ids, the reply's generated ids, then the template's text after the reply
            // (end-of-sentence, the new turn, the opened reply) tokenized alone.
            let firstText = try server.model.renderedChat(question.map { ChatMessage(role: $0.0, content: $0.1) })
            let secondText = try server.model.renderedChat(conversation.map { ChatMessage(role: $0.0, content: $0.1) })
            XCTAssertTrue(secondText.hasPrefix(firstText))
            let rest = secondText.dropFirst(firstText.count)
            let tail = String(rest[try XCTUnwrap(rest.range(of: "Psalm")).upperBound...])
            XCTAssertEqual(secondPrompt, try firstPrompt + script + tokenizer.encode(tail, addSpecialTokens: false))
            XCTAssertNotEqual(secondPrompt, try tokenizer.encode(secondText, addSpecialTokens: false),
                              "re-tokenizing the conversation gives other ids")
            XCTAssertEqual(second.json[path: "usage.prompt_tokens_details.cached_tokens"] as? Int, firstPrompt.count + script.count,
                           "the slot's cache held the first prompt and the whole reply")

            // An edited reply is not the one generated: the conversation is tokenized whole.
            let edited = question + [("assistant", "Hymn"), ("user", "And then?")]
            let third = try await server.post("/v1/chat/completions", try body(edited))
            let editedText = try server.model.renderedChat(edited.map { ChatMessage(role: $0.0, content: $0.1) })
            XCTAssertEqual(third.json["prompt_token_ids"] as? [Int], try tokenizer.encode(editedText, addSpecialTokens: false))
        } catch { XCTFail("\(error)") }
        await server.stop()
    }
}
