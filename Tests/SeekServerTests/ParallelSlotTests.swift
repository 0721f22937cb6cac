import AsyncHTTPClient
import Foundation
import NIOCore
import SeekEngine
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// Continuous batching, prefix reuse and disconnects, seen through the scripted predictor's record of
/// forward calls.
final class ParallelSlotTests: XCTestCase {
    func testConcurrentStreamsShareForwardPasses() async throws {
        let server = try await TestServer.start(delay: 0.005) { $0.scheduler = .init(parallel: 3, queueLimit: 4) }
        do {
            let questions = ["Who is my shepherd?", "What shall I not want?", "Where do I lie down?"]
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for question in questions {
                    group.addTask {
                        let reply = try await server.post("/v1/chat/completions",
                                                          #"{"messages": [{"role": "user", "content": "\#(question)"}], "stream": true}"#)
                        let (chunks, done) = TestServer.events(reply.body)
                        XCTAssertTrue(done)
                        return chunks.compactMap { $0[path: "choices.0.delta.content"] as? String }.joined()
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(texts, Array(repeating: TestServer.replyText, count: 3))
            let calls = server.predictor.forwardCalls
            let widest = calls.map { Set($0.map(\.sequence)).count }.max() ?? 0
            XCTAssertEqual(widest, 3, "all three sequences decoded in one forward call")
            // Decoding steps carry one token per sequence; with three streams the steps were shared, so
            // there are far fewer calls than tokens generated.
            let decodeTokens = calls.joined().filter { $0.tokens.count == 1 }.count
            XCTAssertLessThan(calls.count, decodeTokens, "forward calls \(calls.count), decode tokens \(decodeTokens)")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testJoiningPromptIsPrefilledInChunksWhileOthersDecode() async throws {
        let server = try await TestServer.start(endsWithEOS: false, delay: 0.002) { configuration in
            configuration.scheduler = .init(parallel: 2, queueLimit: 0)
            configuration.scheduler.interleavedPrefillChunk = 8
        }
        do {
            let running = Task { try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 200}"#) }
            let decoding = await TestServer.eventually(within: 5) { server.predictor.tokensFed(to: .init(0)) > 5 }
            XCTAssertTrue(decoding)
            let long = Array(repeating: "5", count: 40).joined(separator: ",")
            let joining = try await server.post("/v1/completions", "{\"prompt\": [\(long)], \"max_tokens\": 2}")
            XCTAssertEqual(joining.status, 200, joining.body)
            _ = try await running.value
            let calls = server.predictor.forwardCalls
            let chunks = calls.compactMap { call in call.first { $0.sequence == SequenceID(1) }?.tokens.count }
            XCTAssertEqual(chunks.prefix(5), [8, 8, 8, 8, 8], "40 prompt tokens in chunks of 8: \(chunks)")
            let mixed = calls.filter { call in call.contains { $0.sequence == SequenceID(0) && $0.tokens.count == 1 }
                && call.contains { $0.sequence == SequenceID(1) && $0.tokens.count == 8 } }
            XCTAssertEqual(mixed.count, 5, "each prompt chunk rode along with the running stream's decode step")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testSlotReusesTheLongestCommonPrefix() async throws {
        let server = try await TestServer.start { $0.scheduler = .init(parallel: 2, queueLimit: 2) }
        do {
            let first = try await server.post("/v1/chat/completions",
                                              #"{"messages": [{"role": "user", "content": "Who is my shepherd?"}]}"#)
            XCTAssertEqual(first.json[path: "usage.prompt_tokens_details.cached_tokens"] as? Int, 0)
            // Another conversation lands on the other (empty) slot: the one holding the first keeps its cache.
            _ = try await server.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Unrelated"}]}"#)
            let fedBefore = server.predictor.tokensFed(to: .init(0))
            // The client resends the conversation with the reply and a new turn.
            let messages = [ChatMessage(role: "user", content: "Who is my shepherd?"),
                            ChatMessage(role: "assistant", content: TestServer.replyText),
                            ChatMessage(role: "user", content: "And then?")]
            let second = try await server.post("/v1/chat/completions", #"""
                {"messages": [{"role": "user", "content": "Who is my shepherd?"},
                              {"role": "assistant", "content": "\#(TestServer.replyText)"},
                              {"role": "user", "content": "And then?"}]}
                """#)
            XCTAssertEqual(second.status, 200, second.body)
            let firstPrompt = try server.model.chatPromptIds([messages[0]])
            let secondPrompt = try server.model.chatPromptIds(messages)
            let cached = try XCTUnwrap(second.json[path: "usage.prompt_tokens_details.cached_tokens"] as? Int)
            XCTAssertGreaterThanOrEqual(cached, firstPrompt.count, "the first turn's prompt came from the cache")
            XCTAssertEqual(second.json[path: "timings.cache_n"] as? Int, cached)
            XCTAssertEqual(server.predictor.tokensFed(to: .init(0)) - fedBefore, secondPrompt.count - cached + server.replyIds.count,
                           "only the new turn and the reply were computed on the slot that held the conversation")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testClientDisconnectFreesTheSlot() async throws {
        let server = try await TestServer.start(endsWithEOS: false, delay: 0.01) { $0.scheduler = .init(parallel: 1, queueLimit: 0) }
        do {
            let reader = Task {
                var request = HTTPClientRequest(url: server.baseURL + "/v1/chat/completions")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: #"{"messages": [{"role": "user", "content": "Hi"}], "stream": true}"#))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                var received = 0
                for try await buffer in response.body {
                    received += buffer.readableBytes
                    if received > 600 { return }  // leaving the loop cancels the request and closes the connection
                }
            }
            try await reader.value
            let freed = await TestServer.eventually(within: 2) { server.server.scheduler.occupancy.busy == 0 }
            XCTAssertTrue(freed, "the slot is free after the client left")
            let fedAtFree = server.predictor.tokensFed(to: .init(0))
            try await Task.sleep(for: .milliseconds(100))
            XCTAssertEqual(server.predictor.tokensFed(to: .init(0)), fedAtFree, "no more tokens computed for the departed client")
            XCTAssertLessThan(fedAtFree, 200, "generation stopped soon after the disconnect")
            let next = try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 2}"#)
            XCTAssertEqual(next.status, 200, "the freed slot serves the next request")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testNonStreamingClientDisconnectCancelsToo() async throws {
        let server = try await TestServer.start(endsWithEOS: false, delay: 0.01) { $0.scheduler = .init(parallel: 1, queueLimit: 0) }
        let request = Task { try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 100000}"#) }
        let running = await TestServer.eventually(within: 5) { server.server.scheduler.occupancy.busy == 1 }
        XCTAssertTrue(running)
        request.cancel()
        _ = await request.result
        let freed = await TestServer.eventually(within: 2) { server.server.scheduler.occupancy.busy == 0 }
        XCTAssertTrue(freed, "a waiting non-streaming client that leaves frees its slot")
        await server.stop()
    }

    func testStoppingTheServerReleasesEverySequence() async throws {
        let server = try await TestServer.start { $0.scheduler = .init(parallel: 3, queueLimit: 0) }
        await server.stop()
        XCTAssertEqual(Set(server.predictor.releasedSequences), [SequenceID(0), SequenceID(1), SequenceID(2)])
    }
}
