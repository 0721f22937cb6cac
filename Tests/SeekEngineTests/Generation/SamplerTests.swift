import XCTest
@testable import SeekEngine

final class SamplerTests: XCTestCase {
    private func parameters(temperature: Float = 1, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                            repeatPenalty: Float = 1, seed: UInt64 = 7) -> SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repeatPenalty = repeatPenalty
        p.seed = seed
        return p
    }

    func testGreedyPicksTheLargestLogitAndBreaksTiesTowardTheLowestId() {
        var sampler = Sampler(parameters(temperature: 0))
        XCTAssertEqual(sampler.sample(logits: [0.1, 3, -2, 3, 1]), 1)
        XCTAssertEqual(sampler.sample(logits: [.nan, -1, -1]), 1)
        XCTAssertEqual(Sampler.argmax([-Float.infinity, -Float.infinity]), 0)
    }

    func testTheSameSeedGivesTheSameTokens() {
        let logits: [Float] = (0..<50).map { Float($0 % 7) * 0.3 }
        func run(seed: UInt64) -> [Int] {
            var sampler = Sampler(parameters(seed: seed))
            return (0..<40).map { _ in sampler.sample(logits: logits) }
        }
        XCTAssertEqual(run(seed: 42), run(seed: 42))
        XCTAssertNotEqual(run(seed: 42), run(seed: 43))
    }

    func testRestartRepeatsTheStream() {
        let logits: [Float] = [1, 1, 1, 1, 1, 1]
        var sampler = Sampler(parameters(seed: 3))
        let first = (0..<20).map { _ in sampler.sample(logits: logits) }
        sampler.restart()
        XCTAssertEqual((0..<20).map { _ in sampler.sample(logits: logits) }, first)
    }

    func testDrawsFollowTheSoftmaxAtTemperatureOne() {
        let logits: [Float] = [0, log(2), log(3), log(4)]  // probabilities 0.1, 0.2, 0.3, 0.4
        var sampler = Sampler(parameters(seed: 1))
        var counts = [0, 0, 0, 0]
        let draws = 40_000
        for _ in 0..<draws { counts[sampler.sample(logits: logits)] += 1 }
        for (i, expected) in [0.1, 0.2, 0.3, 0.4].enumerated() {
            XCTAssertEqual(Double(counts[i]) / Double(draws), expected, accuracy: 0.01, "token \(i)")
        }
    }

    func testLowTemperatureSharpensTheDistribution() {
        let logits: [Float] = [0, 1]
        var sampler = Sampler(parameters(temperature: 0.1, seed: 5))
        let ones = (0..<2000).filter { _ in sampler.sample(logits: logits) == 1 }.count
        XCTAssertGreaterThan(ones, 1990)  // p(1) = 1 / (1 + e^-10)
    }

    func testTopKKeepsOnlyTheKBest() {
        let logits: [Float] = [5, 1, 4, 2, 4.5, 0]
        var sampler = Sampler(parameters(topK: 3, seed: 9))
        let seen = Set((0..<500).map { _ in sampler.sample(logits: logits) })
        XCTAssertEqual(seen, [0, 2, 4])
        var one = Sampler(parameters(topK: 1, seed: 9))
        XCTAssertEqual(Set((0..<50).map { _ in one.sample(logits: logits) }), [0])
    }

    /// The one-pass top-k against sorting everything: ties ordered by id, NaN and -inf never kept.
    func testTopKCandidatesMatchAFullSort() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<200 {
            let count = Int.random(in: 1...300, using: &generator)
            var logits = (0..<count).map { _ in Float(Int.random(in: -5...5, using: &generator)) * 0.5 }  // many ties
            if trial % 3 == 0 { logits[Int.random(in: 0..<count, using: &generator)] = .nan }
            if trial % 4 == 0 { logits[Int.random(in: 0..<count, using: &generator)] = -.infinity }
            if trial % 7 == 0 { logits = logits.map { _ in -.infinity } }
            let k = Int.random(in: 1...50, using: &generator)
            var parameters = SamplingParameters()
            parameters.topK = k
            let usable = logits.indices.filter { !logits[$0].isNaN && logits[$0] > -.infinity }
            var expected = Array(usable.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }.prefix(k))
            if expected.isEmpty { expected = [Sampler.argmax(logits)] }
            XCTAssertEqual(Sampler(parameters).topCandidates(logits), expected, "trial \(trial): k \(k), \(logits)")
        }
    }

    func testTopPKeepsTheSmallestSetReachingP() {
        let logits: [Float] = [log(0.5), log(0.3), log(0.15), log(0.05)]
        var sampler = Sampler(parameters(topP: 0.7, seed: 11))
        XCTAssertEqual(Set((0..<1000).map { _ in sampler.sample(logits: logits) }), [0, 1])
        var tiny = Sampler(parameters(topP: 0.01, seed: 11))
        XCTAssertEqual(Set((0..<100).map { _ in tiny.sample(logits: logits) }), [0])
    }

    func testMinPDropsTokensFarBelowTheBest() {
        let logits: [Float] = [log(0.5), log(0.3), log(0.15), log(0.05)]
        var sampler = Sampler(parameters(minP: 0.25, seed: 13))  // keeps p >= 0.125
        XCTAssertEqual(Set((0..<1000).map { _ in sampler.sample(logits: logits) }), [0, 1, 2])
    }

    func testRepeatPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        var sampler = Sampler(parameters(temperature: 0, repeatPenalty: 2))
        // Token 0 (4 → 2) falls below token 1 (3); token 2 (-1 → -2) stays below token 3 (-1.5).
        XCTAssertEqual(sampler.sample(logits: [4, 3, -1, -1.5], recentTokens: [0]), 1)
        XCTAssertEqual(sampler.sample(logits: [-1, -1.5], recentTokens: [0]), 1)
        // A token repeated in the window is penalized once: 7 → 3.5 stays above 3 (twice would be 1.75).
        XCTAssertEqual(sampler.sample(logits: [7, 3], recentTokens: [0, 0, 0]), 0)
        // The same buffer serves the next call with other logits and another length.
        XCTAssertEqual(sampler.sample(logits: [1, 5, 4], recentTokens: [1]), 2)
        // Only the last repeatLastN tokens count.
        var windowed = SamplingParameters()
        windowed.temperature = 0
        windowed.repeatPenalty = 2
        windowed.repeatLastN = 1
        var recent = Sampler(windowed)
        XCTAssertEqual(recent.sample(logits: [4, 3], recentTokens: [0, 1]), 0)
    }

    func testNonFiniteLogitsNeverWin() {
        var sampler = Sampler(parameters(seed: 2))
        for _ in 0..<100 {
            XCTAssertEqual(sampler.sample(logits: [-.infinity, 0, .nan, -.infinity]), 1)
        }
    }
}
