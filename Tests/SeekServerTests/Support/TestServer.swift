import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SeekEngine
import SeekRemote
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// A server on 127.0.0.1 at a free port, over the scripted predictor. Every test stops the one it starts.
final class TestServer: @unchecked Sendable {
    static let replyText = ScriptedReply.text

    let server: OpenAIServer
    let predictor: ScriptedPredictor
    let model: TinyChatModel
    let port: Int
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The script's ids (the reply greedy decoding produces), without the end-of-sequence id.
    let replyIds: [Int]

    /// `endsWithEOS`: the script ends with end-of-sequence (a reply that stops); otherwise it loops.
    /// `script`: the reply's ids, ending with end-of-sequence (default: `replyText`'s).
    static func start(endsWithEOS: Bool = true, delay: TimeInterval = 0, contextSize: Int = 512, script: [Int]? = nil,
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let model = try TinyChatModel(contextSize: contextSize)
        let replyIds = try script ?? model.tokenizer.encode(replyText, addSpecialTokens: false)
        let predictor = try script.map { script in
            ScriptedPredictor(script: script + [model.tokenizer.eosTokenId ?? 1], loops: false, runnerUp: try ScriptedReply.runnerUpId(model.tokenizer),
                              vocabularySize: model.tokenizer.vocabularySize, contextSize: contextSize)
        } ?? ScriptedReply.predictor(for: model, endsWithEOS: endsWithEOS, contextSize: contextSize)
        predictor.delay = delay
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.apiKey = nil
        configure(&configuration)
        precondition(ServerConfiguration.isLoopback(configuration.host), "tests bind loopback only")
        let server = try OpenAIServer(model: model, predictor: predictor, configuration: configuration)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "seek.test")
        logger.logLevel = .error
        let task = Task {
            defer { continuation.finish() }
            try await server.run(logger: logger) { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            _ = await task.result
            throw TestFailure("the server did not start")
        }
        return TestServer(server: server, predictor: predictor, model: model, port: port, task: task, replyIds: replyIds)
    }

    private init(server: OpenAIServer, predictor: ScriptedPredictor, model: TinyChatModel, port: Int,
                 task: Task<Void, any Error>, replyIds: [Int]) {
        self.server = server
        self.predictor = predictor
        self.model = model
        self.port = port
        self.task = task
        self.replyIds = replyIds
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    // MARK: - HTTP

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:] }
        /// The `error` object of an OpenAI error body.
        var error: [String: Any]? { json["error"] as? [String: Any] }
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
    }

    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> Reply {
        try await request(.POST, path, body: body, headers: headers)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        try await request(.GET, path, headers: headers)
    }

    /// The JSON objects of an SSE body's events, and whether it ended with `data: [DONE]`. Fails the test
    /// when the body is not exactly `data: ...\n\n` events.
    static func events(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> (chunks: [[String: Any]], done: Bool) {
        var chunks: [[String: Any]] = []
        var done = false
        let parts = body.components(separatedBy: "\n\n")
        XCTAssertEqual(parts.last, "", "the stream must end with a blank line", file: file, line: line)
        for part in parts.dropLast() {
            guard part.hasPrefix("data: "), !part.contains("\n") else {
                XCTFail("not an SSE data event: \(part.prefix(120))", file: file, line: line)
                continue
            }
            let payload = String(part.dropFirst(6))
            XCTAssertFalse(done, "an event after [DONE]", file: file, line: line)
            if payload == "[DONE]" { done = true; continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
                XCTFail("not JSON: \(payload.prefix(120))", file: file, line: line)
                continue
            }
            chunks.append(object)
        }
        return (chunks, done)
    }

    /// Polls until `condition` holds or `seconds` pass.
    static func eventually(within seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

extension Dictionary where Key == String, Value == Any {
    subscript(path path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") {
            if let index = Int(key), let list = current as? [Any] {
                current = index < list.count ? list[index] : nil
            } else {
                current = (current as? [String: Any])?[String(key)]
            }
        }
        return current
    }
}
