import AsyncHTTPClient
import Foundation
import NIOCore
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// Every error status, in OpenAI's shape: {"error": {"message", "type", "param", "code"}}.
final class ErrorStatusTests: XCTestCase {
    private func assertOpenAIError(_ reply: TestServer.Reply, status: Int, param: String? = nil, code: String? = nil,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, reply.body, file: file, line: line)
        XCTAssertEqual(reply.headers.first(name: "Content-Type"), "application/json", file: file, line: line)
        guard let error = reply.error else { return XCTFail("no error object in \(reply.body)", file: file, line: line) }
        XCTAssertEqual(Set(error.keys), ["message", "type", "param", "code"], file: file, line: line)
        XCTAssertFalse((error["message"] as? String ?? "").isEmpty, file: file, line: line)
        if let param { XCTAssertEqual(error["param"] as? String, param, reply.body, file: file, line: line) }
        if let code { XCTAssertEqual(error["code"] as? String, code, reply.body, file: file, line: line) }
    }

    func testBadRequests() async throws {
        let server = try await TestServer.start()
        do {
            let chat = "/v1/chat/completions"
            assertOpenAIError(try await server.post(chat, "{not json"), status: 400)
            assertOpenAIError(try await server.post(chat, #"{"model": "tiny"}"#), status: 400, param: "messages")
            assertOpenAIError(try await server.post(chat, #"{"messages": "hi"}"#), status: 400, param: "messages")
            assertOpenAIError(try await server.post(chat, #"{"messages": []}"#), status: 400, param: "messages")
            let user = #""messages": [{"role": "user", "content": "Hi"}]"#
            assertOpenAIError(try await server.post(chat, "{\(user), \"n\": 2}"), status: 400, param: "n")
            assertOpenAIError(try await server.post(chat, "{\(user), \"temperature\": 3}"), status: 400, param: "temperature")
            assertOpenAIError(try await server.post(chat, "{\(user), \"top_p\": 0}"), status: 400, param: "top_p")
            assertOpenAIError(try await server.post(chat, "{\(user), \"presence_penalty\": -3}"), status: 400, param: "presence_penalty")
            assertOpenAIError(try await server.post(chat, "{\(user), \"max_tokens\": 0}"), status: 400, param: "max_tokens")
            assertOpenAIError(try await server.post(chat, "{\(user), \"logprobs\": true, \"top_logprobs\": 21}"), status: 400, param: "top_logprobs")
            assertOpenAIError(try await server.post(chat, "{\(user), \"stream_options\": {\"include_usage\": true}}"), status: 400, param: "stream_options")
            assertOpenAIError(try await server.post(chat, "{\(user), \"stop\": [\"\"]}"), status: 400, param: "stop")
            assertOpenAIError(try await server.post(chat, #"{"messages": [{"role": "tool", "content": "x"}]}"#), status: 400)
            assertOpenAIError(try await server.post(chat, #"{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}"#), status: 400)
            assertOpenAIError(try await server.post("/v1/completions", #"{"prompt": [1, 999999]}"#), status: 400, param: "prompt")
            assertOpenAIError(try await server.post("/v1/completions", #"{"prompt": ["a", "b"]}"#), status: 400, param: "prompt")
            assertOpenAIError(try await server.post("/v1/completions", #"{"prompt": "a", "logprobs": 30}"#), status: 400, param: "logprobs")
            let long = Array(repeating: "5", count: 600).joined(separator: ",")
            assertOpenAIError(try await server.post("/v1/completions", "{\"prompt\": [\(long)]}"), status: 400,
                              code: "context_length_exceeded")
            // Array content parts of type text are accepted.
            let parts = try await server.post(chat, #"{"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}], "max_tokens": 1}"#)
            XCTAssertEqual(parts.status, 200, parts.body)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testUnknownRouteAndModel() async throws {
        let server = try await TestServer.start()
        do {
            assertOpenAIError(try await server.get("/v1/nothing"), status: 404, code: "unknown_url")
            assertOpenAIError(try await server.get("/v1/chat/completions"), status: 404)
            assertOpenAIError(try await server.post("/v1/chat/completions", #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}"#),
                              status: 404, param: "model", code: "model_not_found")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testBodyLimitAndHeaderLimit() async throws {
        let server = try await TestServer.start { $0.maxBodyBytes = 1000; $0.maxHeaderBytes = 4096 }
        do {
            let big = #"{"prompt": ""# + String(repeating: "x", count: 2000) + #""}"#
            assertOpenAIError(try await server.post("/v1/completions", big), status: 413, code: "request_too_large")
            // Without a Content-Length (chunked), the limit holds while reading.
            var request = HTTPClientRequest(url: server.baseURL + "/v1/completions")
            request.method = .POST
            let pieces = (0..<20).map { _ in ByteBuffer(string: String(repeating: "y", count: 100)) }
            request.body = .stream(AsyncStream { continuation in
                for piece in pieces { continuation.yield(piece) }
                continuation.finish()
            }, length: .unknown)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            XCTAssertEqual(response.status.code, 413)
            // A header block over the limit is refused by the HTTP decoder, and the server keeps serving.
            let huge = try? await server.get("/health", headers: [("X-Padding", String(repeating: "z", count: 8000))])
            XCTAssertNotEqual(huge?.status, 200)
            let health = try await server.get("/health")
            XCTAssertEqual(health.status, 200)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testAPIKey() async throws {
        let server = try await TestServer.start { $0.apiKey = "sekrit" }
        do {
            let body = #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}"#
            let missing = try await server.post("/v1/chat/completions", body)
            assertOpenAIError(missing, status: 401, code: "invalid_api_key")
            XCTAssertEqual(missing.headers.first(name: "WWW-Authenticate"), "Bearer")
            assertOpenAIError(try await server.post("/v1/chat/completions", body, headers: [("Authorization", "Bearer wrong")]), status: 401)
            assertOpenAIError(try await server.post("/v1/chat/completions", body, headers: [("Authorization", "sekrit")]), status: 401)
            assertOpenAIError(try await server.get("/v1/models"), status: 401)
            assertOpenAIError(try await server.get("/metrics"), status: 401)
            let authorized = try await server.post("/v1/chat/completions", body, headers: [("Authorization", "Bearer sekrit")])
            XCTAssertEqual(authorized.status, 200)
            let listed = try await server.get("/v1/models", headers: [("Authorization", "bearer sekrit")])
            XCTAssertEqual(listed.status, 200)
            let healthWithoutKey = try await server.get("/health")
            XCTAssertEqual(healthWithoutKey.status, 200, "health answers without a key")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testBusyServerAnswers503WithRetryAfter() async throws {
        // One slot, no queue, a reply that never ends: the second request finds no room.
        let server = try await TestServer.start(endsWithEOS: false, delay: 0.01) {
            $0.scheduler = .init(parallel: 1, queueLimit: 0)
        }
        do {
            let first = Task { try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 100}"#) }
            let busy = await TestServer.eventually(within: 5) { server.server.scheduler.occupancy.busy == 1 }
            XCTAssertTrue(busy)
            let second = try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 1}"#)
            assertOpenAIError(second, status: 503, code: "server_overloaded")
            XCTAssertEqual(second.headers.first(name: "Retry-After"), "2")
            let firstReply = try await first.value
            XCTAssertEqual(firstReply.status, 200)
            let afterwards = try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 1}"#)
            XCTAssertEqual(afterwards.status, 200,
                           "the slot is free again")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testModelFailureIs500() async throws {
        let server = try await TestServer.start()
        server.predictor.failOnCall = 1
        do {
            let reply = try await server.post("/v1/completions", #"{"prompt": "Psalm"}"#)
            assertOpenAIError(reply, status: 500, code: "internal_error")
            let recovered = try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 2}"#)
            XCTAssertEqual(recovered.status, 200,
                           "the slot recovers")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }
}
