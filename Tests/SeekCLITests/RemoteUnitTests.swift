import Foundation
import SeekRemote
import XCTest
@testable import seek

/// The remote command line's pure parts: reasoning kept apart from the answer, the --json object, the
/// sampling fields a remote request sends.
final class RemoteUnitTests: XCTestCase {
    func testReasoningIsKeptApartAndMarked() {
        let reply = RemoteReply()
        var shown: [RemoteReply.Shown] = []
        for event: RemoteEvent in [.role("assistant"), .reasoning("Let me think."), .reasoning(" Yes."), .content("42"),
                                   .finish(reason: "stop"), .usage(RemoteUsage(promptTokens: 5, completionTokens: 7))] {
            if let piece = reply.record(event) { shown.append(piece) }
        }
        XCTAssertEqual(reply.text, "42")
        XCTAssertEqual(reply.reasoning, "Let me think. Yes.")
        XCTAssertEqual(reply.finishReason, "stop")
        XCTAssertEqual(shown.count, 3)

        var marked = ReasoningStyle(terminal: false)
        XCTAssertEqual(marked.reasoning("a") + marked.reasoning("b") + marked.close() + marked.close(), "[thinking] ab [/thinking]\n")
        var dimmed = ReasoningStyle(terminal: true)
        XCTAssertEqual(dimmed.reasoning("a") + dimmed.close(), "\u{1B}[2ma\u{1B}[0m\n")
        var none = ReasoningStyle(terminal: true)
        XCTAssertEqual(none.close(), "", "no reasoning, nothing to close")
    }

    func testJSONReportHasTheLocalKeysAndTheServersCounts() throws {
        let reply = RemoteReply()
        _ = reply.record(.content("Hi"))
        _ = reply.record(.tokenIds(prompt: [1, 2], reply: [9]))
        _ = reply.record(.tokenIds(prompt: nil, reply: [10]))
        _ = reply.record(.finish(reason: "length"))
        var timings = RemoteTimings()
        timings.promptMs = 10
        timings.predictedMs = 20
        timings.promptPerSecond = 200
        timings.predictedPerSecond = 50
        _ = reply.record(.usage(RemoteUsage(promptTokens: 2, completionTokens: 2, cachedTokens: 1, timings: timings)))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(RemoteJSONReport(model: "m", reply: reply).encoded().utf8)) as? [String: Any])
        XCTAssertEqual(object["prompt_tokens"] as? [Int], [1, 2])
        XCTAssertEqual(object["tokens"] as? [Int], [9, 10])
        XCTAssertEqual(object["text"] as? String, "Hi")
        XCTAssertEqual(object["finish_reason"] as? String, "length")
        XCTAssertEqual((object["usage"] as? [String: Any])?["cached_tokens"] as? Int, 1)
        XCTAssertEqual((object["timings"] as? [String: Any])?["decode_tps"] as? Double, 50)
        XCTAssertNil(object["reasoning"])

        let bare = RemoteReply()
        _ = bare.record(.content("x"))
        let bareObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(RemoteJSONReport(model: "m", reply: bare).encoded().utf8)) as? [String: Any])
        XCTAssertNil(bareObject["tokens"], "no ids from the server: no id lists")
        XCTAssertNil(bareObject["usage"])
    }

    func testSettingsMapToTheAPIsFields() throws {
        var sampling = RemoteSampling()
        try RemoteSession.apply("temperature", "0.5", to: &sampling)
        try RemoteSession.apply("top_k", "20", to: &sampling)
        try RemoteSession.apply("max_tokens", "-1", to: &sampling)
        try RemoteSession.apply("seed", "18446744073709551615", to: &sampling)
        XCTAssertEqual(sampling.temperature, 0.5)
        XCTAssertEqual(sampling.topK, 20)
        XCTAssertNil(sampling.maxTokens, "-1 (no limit) is not sent")
        XCTAssertEqual(sampling.seed, -1, "a UInt64 seed travels as the same 64 bits")
        XCTAssertThrowsError(try RemoteSession.apply("repeat_last_n", "64", to: &sampling)) { error in
            XCTAssertTrue("\(error)".contains("cannot be set for a remote model"), "\(error)")
        }
        XCTAssertThrowsError(try RemoteSession.apply("temperature", "hot", to: &sampling))
        XCTAssertEqual(sampling.temperature, 0.5, "a bad value changes nothing")
        XCTAssertEqual(RemoteSession.describe(RemoteSampling()), "the server's defaults")
    }
}
