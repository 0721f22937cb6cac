import Foundation
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// The SSE format, checked byte for byte against what OpenAI sends.
final class StreamingTests: XCTestCase {
    func testChatStreamWithUsage() async throws {
        let server = try await TestServer.start()
        do {
            let reply = try await server.post("/v1/chat/completions", #"""
                {"model": "tiny", "messages": [{"role": "user", "content": "Who is my shepherd?"}],
                 "stream": true, "stream_options": {"include_usage": true}}
                """#)
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.headers.first(name: "Content-Type"), "text/event-stream")
            XCTAssertEqual(reply.headers.first(name: "Cache-Control"), "no-cache")
            let (chunks, done) = TestServer.events(reply.body)
            XCTAssertTrue(done, "the stream ends with data: [DONE]")
            XCTAssertGreaterThanOrEqual(chunks.count, 4)
            let id = chunks.first?["id"] as? String
            for chunk in chunks {
                XCTAssertEqual(chunk["object"] as? String, "chat.completion.chunk")
                XCTAssertEqual(chunk["id"] as? String, id, "every chunk carries the same id")
                XCTAssertEqual(chunk["model"] as? String, "tiny")
                XCTAssertTrue(chunk.keys.contains("usage"), "with include_usage every chunk has a usage field")
            }
            // First: the role, with empty content.
            XCTAssertEqual(chunks[0][path: "choices.0.delta.role"] as? String, "assistant")
            XCTAssertEqual(chunks[0][path: "choices.0.delta.content"] as? String, "")
            XCTAssertTrue(chunks[0][path: "choices.0.finish_reason"] is NSNull)
            // Then content deltas, whole characters each, that add up to the reply.
            let contentChunks = chunks.dropFirst().prefix { ($0[path: "choices.0.finish_reason"] is NSNull) }
            let pieces = contentChunks.compactMap { $0[path: "choices.0.delta.content"] as? String }
            XCTAssertEqual(pieces.count, contentChunks.count)
            XCTAssertEqual(pieces.joined(), TestServer.replyText)
            XCTAssertFalse(pieces.contains { $0.contains("\u{FFFD}") || $0.isEmpty }, "\(pieces)")
            XCTAssertTrue(pieces.contains("🦙") || pieces.contains(" 🦙"), "the emoji spans several tokens and comes out whole: \(pieces)")
            // Then the finish chunk with an empty delta, then the usage chunk with no choices.
            let finish = chunks[chunks.count - 2]
            XCTAssertEqual(finish[path: "choices.0.finish_reason"] as? String, "stop")
            XCTAssertEqual((finish[path: "choices.0.delta"] as? [String: Any])?.count, 0)
            XCTAssertTrue(finish["usage"] is NSNull)
            let usage = chunks[chunks.count - 1]
            XCTAssertEqual((usage["choices"] as? [Any])?.count, 0)
            XCTAssertEqual(usage[path: "usage.completion_tokens"] as? Int, server.replyIds.count)
            XCTAssertEqual(usage[path: "timings.predicted_n"] as? Int, server.replyIds.count)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testChatStreamWithoutUsageAndWithLength() async throws {
        let server = try await TestServer.start()
        do {
            let reply = try await server.post("/v1/chat/completions",
                                              #"{"messages": [{"role": "user", "content": "Hi"}], "stream": true, "max_completion_tokens": 3}"#)
            let (chunks, done) = TestServer.events(reply.body)
            XCTAssertTrue(done)
            XCTAssertFalse(chunks.contains { $0.keys.contains("usage") }, "no usage field unless asked for")
            XCTAssertEqual(chunks.last?[path: "choices.0.finish_reason"] as? String, "length")
            XCTAssertNotNil(chunks.last?["timings"], "without a usage chunk the finish chunk carries the timings")
            let text = chunks.compactMap { $0[path: "choices.0.delta.content"] as? String }.joined()
            XCTAssertEqual(text, server.model.tokenizer.decode(Array(server.replyIds.prefix(3))))
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testCompletionStreamAndLogprobChunks() async throws {
        let server = try await TestServer.start()
        do {
            let reply = try await server.post("/v1/completions", #"""
                {"prompt": "Psalm", "stream": true, "stream_options": {"include_usage": true}, "logprobs": 0}
                """#)
            let (chunks, done) = TestServer.events(reply.body)
            XCTAssertTrue(done)
            XCTAssertEqual(chunks.first?["object"] as? String, "text_completion")
            let textChunks = chunks.filter { ($0[path: "choices.0.finish_reason"] is NSNull) }
            XCTAssertEqual(textChunks.compactMap { $0[path: "choices.0.text"] as? String }.joined(), TestServer.replyText)
            // Every generated token's logprob arrives exactly once, with the text it completed.
            let tokens = textChunks.flatMap { $0[path: "choices.0.logprobs.tokens"] as? [String] ?? [] }
            XCTAssertEqual(tokens.count, server.replyIds.count)
            let offsets = textChunks.flatMap { $0[path: "choices.0.logprobs.text_offset"] as? [Int] ?? [] }
            XCTAssertEqual(offsets.first, 0)
            XCTAssertEqual(offsets, offsets.sorted())
            XCTAssertEqual(chunks[chunks.count - 2][path: "choices.0.finish_reason"] as? String, "stop")
            XCTAssertEqual(chunks.last?[path: "usage.prompt_tokens"] as? Int, try server.model.textPromptIds("Psalm").count)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }
}
