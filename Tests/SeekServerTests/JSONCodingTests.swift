import Foundation
import Hummingbird
@testable import SeekServer
import XCTest

/// Bodies in and out through SeekJSON: members in OpenAI's order, UTF-8 and slashes as is, and
/// request errors that name the field or the line and column.
final class JSONCodingTests: XCTestCase {
    private func text(_ buffer: ByteBuffer) -> String { buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) ?? "" }

    func testResponseMembersKeepOpenAIsOrder() {
        let response = ChatCompletionResponse(
            id: "chatcmpl-1", created: 5, model: "tiny", systemFingerprint: nil,
            choices: [.init(index: 0, message: .init(role: "assistant", content: "é/\"\n"), logprobs: nil, finishReason: "stop")],
            usage: Usage(promptTokens: 3, completionTokens: 2), timings: nil)
        XCTAssertEqual(text(JSONCoding.encode(response)), #"{"id":"chatcmpl-1","object":"chat.completion","created":5,"model":"tiny","#
            + #""choices":[{"index":0,"message":{"role":"assistant","content":"é/\"\n"},"logprobs":null,"finish_reason":"stop"}],"#
            + #""usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#)
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", systemFingerprint: "fp",
                                        choices: [.init(index: 0, delta: .init(role: nil, content: "x"), logprobs: nil, finishReason: nil)],
                                        includesUsageField: true)
        XCTAssertEqual(text(JSONCoding.encode(chunk)), #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","#
            + #""system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}],"usage":null}"#)
    }

    func testRequestErrorsNameTheFieldOrThePosition() {
        func failure(_ body: String) -> OpenAIError? {
            do {
                _ = try JSONCoding.decode(ChatCompletionRequest.self, from: ByteBuffer(string: body))
                return nil
            } catch { return error as? OpenAIError }
        }
        let missing = failure(#"{"messages": [{"role": "user"}]}"#)
        XCTAssertEqual(missing?.message, "missing required field messages[0].content")
        XCTAssertEqual(missing?.param, "messages[0].content")
        let wrong = failure(#"{"messages": [{"role": "user", "content": "hi"}], "temperature": "hot"}"#)
        XCTAssertEqual(wrong?.message, "temperature: expected a number")
        XCTAssertEqual(wrong?.param, "temperature")
        let syntax = failure("{\"messages\": [\n  {\"role\": \"user\",}\n]}")?.message ?? ""
        XCTAssertTrue(syntax.hasPrefix("the body is not valid JSON: line 2, column 19: "), syntax)
    }
}
