import Foundation
import SeekRemote
import XCTest

/// Recorded streams of vLLM, SGLang, llama-server, ollama, OpenAI and DeepSeek shapes (Streams/README.md
/// says where each comes from), decoded whole and split at every byte.
final class RecordedStreamTests: XCTestCase {
    struct Reply: Equatable {
        var roles: [String] = []
        var content = ""
        var reasoning = ""
        var finish: [String] = []
        var usage: [RemoteUsage] = []
    }

    static func recorded(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "sse", subdirectory: "Streams") else {
            throw NSError(domain: "missing Streams/\(name).sse", code: 1)
        }
        return Array(try Data(contentsOf: url))
    }

    /// Decodes the bytes as the client does, in two reads split at `cut`.
    static func decode(_ bytes: [UInt8], cut: Int? = nil) throws -> (Reply, done: Bool) {
        var parser = ServerSentEventParser()
        var decoder = StreamChunkDecoder()
        var reply = Reply()
        let split = cut ?? bytes.count
        for part in [bytes[..<split], bytes[split...]] {
            for event in parser.feed(part) {
                for output in try decoder.decode(event) {
                    switch output {
                    case .role(let role): reply.roles.append(role)
                    case .content(let text): reply.content += text
                    case .reasoning(let text): reply.reasoning += text
                    case .finish(let reason): reply.finish.append(reason)
                    case .usage(let usage): reply.usage.append(usage)
                    case .tokenIds: break
                    }
                }
            }
        }
        return (reply, decoder.isDone)
    }

    private func check(_ name: String, _ expected: Reply, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try Self.recorded(name)
        let (whole, done) = try Self.decode(bytes)
        XCTAssertTrue(done, "\(name) ends with [DONE]", file: file, line: line)
        XCTAssertEqual(whole, expected, name, file: file, line: line)
        for cut in stride(from: 0, through: bytes.count, by: 1) {
            let (split, _) = try Self.decode(bytes, cut: cut)
            if split != whole { return XCTFail("\(name) split at \(cut) differs", file: file, line: line) }
        }
    }

    func testOpenAI() throws {
        try check("openai-chat", Reply(roles: ["assistant"], content: "The Lord is my shepherd.", finish: ["stop"],
                                       usage: [RemoteUsage(promptTokens: 12, completionTokens: 6, cachedTokens: 0)]))
    }

    func testVLLM() throws {
        try check("vllm-chat", Reply(roles: ["assistant"], content: "我是深度求索的助手。", finish: ["stop"],
                                     usage: [RemoteUsage(promptTokens: 9, completionTokens: 5)]))
        try check("vllm-completions", Reply(content: " of the man was", finish: ["length"],
                                            usage: [RemoteUsage(promptTokens: 4, completionTokens: 4)]))
    }

    func testSGLang() throws {
        try check("sglang-chat", Reply(roles: ["assistant"], content: "Multi-head Latent Attention", finish: ["stop"],
                                       usage: [RemoteUsage(promptTokens: 15, completionTokens: 4)]))
    }

    func testLlamaServer() throws {
        var timings = RemoteTimings()
        timings.promptN = 11
        timings.promptMs = 30.958
        timings.promptPerSecond = 355.32
        timings.predictedN = 4
        timings.predictedMs = 61.06
        timings.predictedPerSecond = 65.51
        timings.cacheN = 0
        try check("llama-server-chat", Reply(roles: ["assistant"], content: "Hello! How can", finish: ["length"],
                                             usage: [RemoteUsage(promptTokens: 11, completionTokens: 4, timings: timings)]))
        // Reasoning deltas apart from the answer; no usage chunk, so the timings stand in for it.
        try check("llama-server-reasoning", Reply(roles: ["assistant"], content: "2 + 2 = 4", reasoning: "The user asks for 2+2.",
                                                  finish: ["stop"],
                                                  usage: [RemoteUsage(promptTokens: 11, completionTokens: 4, cachedTokens: 0, timings: timings)]))
    }

    func testDeepSeekReasonerWithKeepAlives() throws {
        try check("deepseek-reasoner", Reply(roles: ["assistant"], content: "9.8 is greater.", reasoning: "Okay, 9.11 vs 9.8",
                                             finish: ["stop"], usage: [RemoteUsage(promptTokens: 17, completionTokens: 9, cachedTokens: 0)]))
    }

    func testOllama() throws {
        try check("ollama-chat", Reply(roles: Array(repeating: "assistant", count: 6), content: "Paris.", reasoning: "Let me think",
                                       finish: ["stop"], usage: [RemoteUsage(promptTokens: 10, completionTokens: 5)]))
    }

    func testCRLFAndMultilineData() throws {
        try check("crlf-multiline", Reply(roles: ["assistant"], content: "line one\nline two", finish: ["stop"]))
    }

    func testTruncatedStream() throws {
        let (reply, done) = try Self.decode(try Self.recorded("truncated"))
        XCTAssertFalse(done)
        XCTAssertEqual(reply.content, "partial")
        XCTAssertEqual(reply.finish, [])
    }

    func testErrorInsideTheStream() throws {
        XCTAssertThrowsError(try Self.decode(try Self.recorded("error-in-stream"))) { error in
            XCTAssertEqual(error as? RemoteError, .streamError(message: "the model failed: out of memory"))
        }
    }

    func testGarbageIsMalformed() {
        var decoder = StreamChunkDecoder()
        XCTAssertThrowsError(try decoder.decode(ServerSentEvent(data: "<html>"))) { error in
            guard case .malformedStream? = error as? RemoteError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try decoder.decode(ServerSentEvent(data: #"{"id": "x"}"#)))
    }
}
