import Foundation
import Hummingbird
import SeekEngine
@testable import SeekServer
import SeekServerTestSupport
import XCTest

final class SlotChoiceTests: XCTestCase {
    func testIdleSlotWithTheLongestCommonPrefixWins() {
        let a = Slot(index: 0, sequence: .init(0))
        let b = Slot(index: 1, sequence: .init(1))
        let c = Slot(index: 2, sequence: .init(2))
        a.cachedIds = [1, 2, 9]
        b.cachedIds = [1, 2, 3, 4, 5]
        c.cachedIds = [1, 2, 3, 4, 5, 6]
        c.job = Job(request: GenerationRequest(promptIds: [1]), handle: GenerationHandle(),
                    decoder: ReplyDecoder(request: GenerationRequest(promptIds: [1]), model: try! TinyChatModel()))
        XCTAssertTrue(Slot.best(for: [1, 2, 3, 4, 5, 6, 7], among: [a, b, c]) === b, "busy slots are never chosen")
        XCTAssertEqual(b.commonPrefixLength(with: [1, 2, 3, 7]), 3)
        // A short shared opening does not claim a slot that holds another conversation: an empty slot
        // is taken, else the least recently used.
        a.cachedIds = [1, 2, 3, 4, 5, 6]
        b.cachedIds = []
        XCTAssertTrue(Slot.best(for: [1, 2, 7, 8, 9], among: [a, b]) === b)
        b.cachedIds = [1, 2, 3]
        a.lastUsed = .now
        XCTAssertTrue(Slot.best(for: [1, 2, 7, 8, 9], among: [a, b]) === b)
        XCTAssertTrue(Slot.best(for: [1, 2, 3, 4, 9], among: [a, b]) === a, "a prefix covering half the prompt counts")
        // A conversation's next turn: the prompt is much longer than what it shares, but it continues
        // most of the slot's cache, so it goes back to that slot rather than to an empty one.
        b.cachedIds = []
        XCTAssertTrue(Slot.best(for: [1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16], among: [a, b]) === a)
    }
}

final class ConfigurationTests: XCTestCase {
    func testLoopbackAndTheWarning() {
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            XCTAssertTrue(ServerConfiguration.isLoopback(host), host)
        }
        for host in ["0.0.0.0", "::", "192.168.1.4", "example.com", "127.0.0", "127.1.2.300"] {
            XCTAssertFalse(ServerConfiguration.isLoopback(host), host)
        }
        var configuration = ServerConfiguration()
        XCTAssertNil(configuration.bindingWarning)
        configuration.host = "0.0.0.0"
        XCTAssertTrue(configuration.bindingWarning?.contains("without an API key") ?? false)
        configuration.apiKey = "k"
        XCTAssertNil(configuration.bindingWarning)
    }

    func testAPIKeyComesFromTheFlagThenTheEnvironment() {
        XCTAssertEqual(ServerConfiguration.apiKey(flag: "a", environment: ["SEEK_API_KEY": "b"]), "a")
        XCTAssertEqual(ServerConfiguration.apiKey(flag: nil, environment: ["SEEK_API_KEY": "b"]), "b")
        XCTAssertEqual(ServerConfiguration.apiKey(flag: " ", environment: ["SEEK_API_KEY": ""]), nil)
        XCTAssertNil(ServerConfiguration.apiKey(flag: nil, environment: ["OPENAI_API_KEY": "c"]), "the server never reads OpenAI's variable")
    }

    func testBearerComparison() {
        XCTAssertTrue(APIKeyMiddleware<BasicRequestContext>.matches("Bearer abc", key: "abc"))
        XCTAssertTrue(APIKeyMiddleware<BasicRequestContext>.matches("bearer  abc ", key: "abc"))
        XCTAssertFalse(APIKeyMiddleware<BasicRequestContext>.matches("Bearer abcd", key: "abc"))
        XCTAssertFalse(APIKeyMiddleware<BasicRequestContext>.matches("Basic abc", key: "abc"))
        XCTAssertFalse(APIKeyMiddleware<BasicRequestContext>.matches("Bearer ", key: ""))
    }
}

final class LogitMathTests: XCTestCase {
    func testLogSoftmaxAndTop() {
        let distribution = LogSoftmax([1, 3, 2, -Float.infinity])
        let total = log(exp(1.0) + exp(3.0) + exp(2.0))
        XCTAssertEqual(distribution.logprob(of: 1), 3 - total, accuracy: 1e-9)
        XCTAssertEqual(distribution.top(2).map(\.token), [1, 2])
        XCTAssertEqual(distribution.top(0).count, 0)
    }

    func testPenalties() {
        var adjustments = LogitAdjustments(presence: 0.5, frequency: 0.25)
        adjustments.record(1)
        adjustments.record(1)
        adjustments.record(2)
        var logits: [Float] = [0, 0, 0]
        adjustments.apply(to: &logits)
        XCTAssertEqual(logits, [0, -1.0, -0.75])
    }
}
