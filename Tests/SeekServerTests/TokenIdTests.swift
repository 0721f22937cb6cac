import Foundation
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// `return_token_ids` (vLLM's extension, what `seek --remote --json` asks for): the prompt's and the
/// reply's ids, in the body or on the stream's finish chunk, and nowhere unless asked for.
final class TokenIdTests: XCTestCase {
    func testChatAndCompletionReturnTheIdsWhenAsked() async throws {
        let server = try await TestServer.start()
        do {
            let messages = #"[{"role": "user", "content": "Who is my shepherd?"}]"#
            let prompt = try server.model.chatPromptIds([ChatMessage(role: "user", content: "Who is my shepherd?")])

            let body = try await server.post("/v1/chat/completions", #"{"messages": \#(messages), "return_token_ids": true}"#)
            XCTAssertEqual(body.status, 200, body.body)
            XCTAssertEqual(body.json["prompt_token_ids"] as? [Int], prompt)
            XCTAssertEqual(body.json[path: "choices.0.token_ids"] as? [Int], server.replyIds)

            let stream = try await server.post("/v1/chat/completions", #"{"messages": \#(messages), "stream": true, "return_token_ids": true}"#)
            let (chunks, done) = TestServer.events(stream.body)
            XCTAssertTrue(done)
            let finish = try XCTUnwrap(chunks.first { $0[path: "choices.0.finish_reason"] is String })
            XCTAssertEqual(finish["prompt_token_ids"] as? [Int], prompt)
            XCTAssertEqual(finish[path: "choices.0.token_ids"] as? [Int], server.replyIds)
            XCTAssertEqual(chunks.filter { $0["prompt_token_ids"] != nil }.count, 1)

            let completion = try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 3, "stream": true, "return_token_ids": true}"#)
            let (completionChunks, _) = TestServer.events(completion.body)
            let last = try XCTUnwrap(completionChunks.first { $0[path: "choices.0.finish_reason"] is String })
            XCTAssertEqual(last[path: "choices.0.prompt_token_ids"] as? [Int], try server.model.textPromptIds("Psalm"))
            XCTAssertEqual(last[path: "choices.0.token_ids"] as? [Int], Array(server.replyIds.prefix(3)))

            let plain = try await server.post("/v1/chat/completions", #"{"messages": \#(messages)}"#)
            XCTAssertFalse(plain.body.contains("token_ids"), plain.body)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }
}
