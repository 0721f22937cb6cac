import Foundation
import SeekRemote
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// SeekRemote's client against seek's own server on loopback.
final class RemoteClientTests: XCTestCase {
    private func collect(_ stream: AsyncThrowingStream<RemoteEvent, any Error>) async throws -> [RemoteEvent] {
        var events: [RemoteEvent] = []
        for try await event in stream { events.append(event) }
        return events
    }

    func testChatCompletionsAndModels() async throws {
        let server = try await TestServer.start { $0.apiKey = "k1" }
        let client = RemoteClient(endpoint: try RemoteEndpoint(url: server.baseURL, apiKey: "k1"))
        do {
            let models = try await client.models()
            XCTAssertEqual(models.map(\.id), ["tiny"])
            var sampling = RemoteSampling()
            sampling.temperature = 0
            let events = try await collect(client.streamChat(model: "tiny", messages: [RemoteMessage(role: "user", content: "Hi")],
                                                             sampling: sampling))
            XCTAssertEqual(events.first, .role("assistant"))
            let text = events.compactMap { event -> String? in if case .content(let piece) = event { return piece }; return nil }.joined()
            XCTAssertEqual(text, TestServer.replyText)
            XCTAssertTrue(events.contains(.finish(reason: "stop")))
            guard case .usage(let usage)? = events.last else { return XCTFail("no usage: \(events)") }
            XCTAssertEqual(usage.completionTokens, server.replyIds.count)
            XCTAssertEqual(usage.timings?.predictedN, server.replyIds.count)

            sampling.maxTokens = 3
            sampling.stop = ["never"]
            let completion = try await collect(client.streamCompletion(model: nil, prompt: "Psalm", sampling: sampling))
            XCTAssertTrue(completion.contains(.finish(reason: "length")))
            let completionText = completion.compactMap { event -> String? in if case .content(let piece) = event { return piece }; return nil }.joined()
            XCTAssertEqual(completionText, server.model.tokenizer.decode(Array(server.replyIds.prefix(3))))
        } catch { XCTFail("\(error)") }
        await client.shutdown()
        await server.stop()
    }

    func testErrorsAreTyped() async throws {
        let server = try await TestServer.start(endsWithEOS: false, delay: 0.01) { configuration in
            configuration.apiKey = "k1"
            configuration.scheduler = .init(parallel: 1, queueLimit: 0)
        }
        let wrongKey = RemoteClient(endpoint: try RemoteEndpoint(url: server.baseURL + "/v1", apiKey: "nope"))
        let client = RemoteClient(endpoint: try RemoteEndpoint(url: server.baseURL + "/v1/", apiKey: "k1"))
        let messages = [RemoteMessage(role: "user", content: "Hi")]
        do {
            do {
                _ = try await collect(wrongKey.streamChat(model: nil, messages: messages, sampling: RemoteSampling()))
                XCTFail("a wrong key must fail")
            } catch let error as RemoteError {
                guard case .unauthorized(401, let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("API key"), message)
            }
            do {
                _ = try await collect(client.streamChat(model: "gpt-4o", messages: messages, sampling: RemoteSampling()))
                XCTFail("an unknown model must fail")
            } catch let error as RemoteError {
                guard case .notFound(let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("gpt-4o"), message)
            }
            // A reply that never ends occupies the only slot; the next request gets the 503.
            var sampling = RemoteSampling()
            sampling.maxTokens = 100_000
            let running = client.streamChat(model: nil, messages: messages, sampling: sampling)
            var iterator = running.makeAsyncIterator()
            _ = try await iterator.next()
            do {
                _ = try await collect(client.streamChat(model: nil, messages: messages, sampling: RemoteSampling()))
                XCTFail("a full server must refuse")
            } catch let error as RemoteError {
                XCTAssertEqual(error, .serverError(status: 503, message: "The server is busy: every slot and the queue are full. Retry later."))
            }
        } catch { XCTFail("\(error)") }
        await wrongKey.shutdown()
        await client.shutdown()
        await server.stop()
    }

    func testCancellingTheConsumerFreesTheServerSlot() async throws {
        let server = try await TestServer.start(endsWithEOS: false, delay: 0.01) { $0.scheduler = .init(parallel: 1, queueLimit: 0) }
        let client = RemoteClient(endpoint: try RemoteEndpoint(url: server.baseURL, apiKey: nil))
        do {
            let consumer = Task {
                var count = 0
                for try await event in client.streamChat(model: nil, messages: [RemoteMessage(role: "user", content: "Hi")],
                                                          sampling: RemoteSampling()) {
                    if case .content = event { count += 1 }
                    if count == 5 { break }
                }
                return count
            }
            let received = try await consumer.value
            XCTAssertEqual(received, 5)
            let freed = await TestServer.eventually(within: 2) { server.server.scheduler.occupancy.busy == 0 }
            XCTAssertTrue(freed)
        } catch { XCTFail("\(error)") }
        await client.shutdown()
        await server.stop()
    }
}
