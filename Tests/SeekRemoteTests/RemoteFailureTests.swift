import Foundation
import Hummingbird
import Logging
import SeekRemote
import XCTest

/// RemoteClient against a loopback server that answers with canned statuses and recorded streams.
final class RemoteFailureTests: XCTestCase {
    /// Serves `/s/{scenario}/v1/...`; stopped by the test that starts it.
    final class CannedServer: @unchecked Sendable {
        let port: Int
        private let task: Task<Void, any Error>

        init() async throws {
            let router = Router()
            router.post("/s/{scenario}/v1/chat/completions") { _, context in
                try await Self.answer(context.parameters.get("scenario") ?? "")
            }
            router.get("/s/{scenario}/v1/models") { _, context in
                try await Self.answer(context.parameters.get("scenario") ?? "")
            }
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            var logger = Logger(label: "canned")
            logger.logLevel = .critical
            let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                          onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
            task = Task {
                defer { continuation.finish() }
                try await application.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw NSError(domain: "canned server did not start", code: 1) }
            self.port = port
        }

        func stop() async {
            task.cancel()
            _ = await task.result
        }

        func url(_ scenario: String) -> String { "http://127.0.0.1:\(port)/s/\(scenario)/v1" }

        static func json(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
            var fields = headers
            fields[.contentType] = "application/json"
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        }

        static func answer(_ scenario: String) async throws -> Response {
            switch scenario {
            case "401": return json(.unauthorized, #"{"error": {"message": "Incorrect API key provided: sk-...", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#)
            case "404": return json(.notFound, #"{"object": "error", "message": "The model `x` does not exist.", "type": "NotFoundError", "code": 404}"#)
            case "429": return json(.tooManyRequests, #"{"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded", "param": null}}"#,
                                    headers: [.retryAfter: "3"])
            case "500": return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "upstream exploded\n")))
            case "502": return json(.badGateway, #"{"detail": "backend unavailable"}"#)
            case "ollama-400": return json(.badRequest, #"{"error": "model is required"}"#)
            case "html":
                return Response(status: .ok, headers: [.contentType: "text/html"],
                                body: .init(byteBuffer: ByteBuffer(string: "<html><body>proxy login</body></html>\n\n")))
            case "models":
                return json(.ok, #"{"object": "list", "data": [{"id": "deepseek-ai/DeepSeek-V2-Lite-Chat", "object": "model", "created": 1, "owned_by": "vllm", "max_model_len": 32768}]}"#)
            case "slow":
                try await Task.sleep(for: .seconds(5))
                return json(.ok, "{}")
            case "vllm", "truncated", "ends-early":
                let file = scenario == "vllm" ? "vllm-chat" : "truncated"
                let bytes = try RecordedStreamTests.recorded(file)
                let abort = scenario == "truncated"
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init { writer in
                    // Odd-sized pieces, so events and CRLFs straddle writes.
                    var start = 0
                    while start < bytes.count {
                        let end = min(start + 37, bytes.count)
                        try await writer.write(ByteBuffer(bytes: bytes[start..<end]))
                        start = end
                    }
                    if abort { throw CancellationError() }  // the connection drops mid-chunk
                    try await writer.finish(nil)
                })
            default:
                return json(.notFound, #"{"error": {"message": "no such scenario"}}"#)
            }
        }
    }

    private func chat(_ url: String, responseTimeout: Int64 = 10) async throws -> String {
        let client = RemoteClient(endpoint: try RemoteEndpoint(url: url, apiKey: "sk-test"), connectTimeout: 2,
                                  responseTimeout: responseTimeout, readTimeout: 5)
        defer { Task { await client.shutdown() } }
        var text = ""
        for try await event in client.streamChat(model: "m", messages: [RemoteMessage(role: "user", content: "Hi")],
                                                 sampling: RemoteSampling()) {
            if case .content(let piece) = event { text += piece }
        }
        return text
    }

    private func expectError(_ url: String, responseTimeout: Int64 = 10, file: StaticString = #filePath, line: UInt = #line,
                             _ check: (RemoteError) -> Void) async {
        do {
            let text = try await chat(url, responseTimeout: responseTimeout)
            XCTFail("expected an error, got \"\(text)\"", file: file, line: line)
        } catch let error as RemoteError {
            check(error)
            XCTAssertFalse(error.description.contains("\n"), "one line", file: file, line: line)
        } catch {
            XCTFail("not a RemoteError: \(error)", file: file, line: line)
        }
    }

    func testStatusesCarryTheServersMessage() async throws {
        let server = try await CannedServer()
        await expectError(server.url("401")) { XCTAssertEqual($0, .unauthorized(status: 401, message: "Incorrect API key provided: sk-...")) }
        await expectError(server.url("404")) { XCTAssertEqual($0, .notFound(message: "The model `x` does not exist.")) }
        await expectError(server.url("429")) { XCTAssertEqual($0, .rateLimited(message: "Rate limit reached", retryAfter: "3")) }
        await expectError(server.url("500")) { XCTAssertEqual($0, .serverError(status: 500, message: "upstream exploded")) }
        await expectError(server.url("502")) { XCTAssertEqual($0, .serverError(status: 502, message: "backend unavailable")) }
        await expectError(server.url("ollama-400")) { XCTAssertEqual($0, .rejected(status: 400, message: "model is required")) }
        await server.stop()
    }

    func testStreamsWholeBrokenAndMalformed() async throws {
        let server = try await CannedServer()
        do {
            let text = try await chat(server.url("vllm"))
            XCTAssertEqual(text, "我是深度求索的助手。")
        } catch { XCTFail("\(error)") }
        await expectError(server.url("truncated")) { XCTAssertEqual($0, .truncatedStream) }
        await expectError(server.url("ends-early")) { XCTAssertEqual($0, .truncatedStream) }
        await expectError(server.url("html")) { error in
            guard case .malformedStream = error else { return XCTFail("\(error)") }
        }
        await expectError(server.url("slow"), responseTimeout: 1) { error in
            guard case .timedOut = error else { return XCTFail("\(error)") }
        }
        let client = RemoteClient(endpoint: try RemoteEndpoint(url: server.url("models"), apiKey: nil))
        do {
            let models = try await client.models()
            XCTAssertEqual(models, [RemoteModel(id: "deepseek-ai/DeepSeek-V2-Lite-Chat", ownedBy: "vllm", maxModelLen: 32768)])
        } catch { XCTFail("\(error)") }
        await client.shutdown()
        await server.stop()
    }

    func testConnectionRefusedAndBadURLs() async throws {
        // Port 1 on loopback: nothing listens there.
        await expectError("http://127.0.0.1:1") { XCTAssertEqual($0, .connectionRefused(url: "http://127.0.0.1:1/v1/chat/completions")) }
        XCTAssertThrowsError(try RemoteEndpoint(url: "ftp://x", apiKey: nil))
        XCTAssertThrowsError(try RemoteEndpoint(url: "localhost:8080", apiKey: nil))
        XCTAssertEqual(try RemoteEndpoint(url: "http://h:8080", apiKey: nil).baseURL, "http://h:8080/v1")
        XCTAssertEqual(try RemoteEndpoint(url: "http://h:8080/v1/", apiKey: nil).baseURL, "http://h:8080/v1")
        XCTAssertEqual(try RemoteEndpoint(url: "https://api.example.com/openai/v1", apiKey: nil).baseURL, "https://api.example.com/openai/v1")
    }

    func testAPIKeyOrder() {
        let environment = ["SEEK_API_KEY": "seek", "OPENAI_API_KEY": "openai", "CLUSTER_KEY": "cluster"]
        XCTAssertEqual(RemoteEndpoint.apiKey(flag: "flag", environment: environment), "flag")
        XCTAssertEqual(RemoteEndpoint.apiKey(flag: nil, environmentVariable: "CLUSTER_KEY", environment: environment), "cluster")
        XCTAssertEqual(RemoteEndpoint.apiKey(flag: nil, environment: environment), "seek")
        XCTAssertEqual(RemoteEndpoint.apiKey(flag: nil, environment: ["OPENAI_API_KEY": "openai"]), "openai")
        XCTAssertNil(RemoteEndpoint.apiKey(flag: "", environment: [:]))
    }
}
