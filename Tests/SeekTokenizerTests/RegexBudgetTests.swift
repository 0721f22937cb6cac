import Foundation
import SeekJSON
@testable import SeekTokenizer
import XCTest

/// The regex matcher pays every step from a budget per text (`RegexStepBudget`), so a pre-tokenizer
/// pattern that backtracks catastrophically ends in a TokenizerError naming tokenizer.json and the
/// pattern instead of a hang; real patterns use a small fraction of it. Steps are counted, not timed.
final class RegexBudgetTests: XCTestCase {
    /// Runs `pattern` over `text` as the pre-tokenizer does; returns the budget afterwards.
    private func run(_ pattern: String, on text: String) throws -> RegexStepBudget {
        let regex = try ScalarRegex(pattern: pattern)
        let scalars = text.unicodeScalars.map(\.value)
        var budget = RegexStepBudget(scalars: scalars.count)
        var stack: [ScalarRegex.Frame] = []
        try scalars.withUnsafeBufferPointer { buffer throws(RegexStepBudget.Exhausted) in
            try regex.forEachMatch(in: buffer, from: 0, to: scalars.count, stack: &stack, budget: &budget) { _, _ in }
        }
        return budget
    }

    func testCatastrophicPatternsRunOutOfSteps() throws {
        let text = String(repeating: "a", count: 40)  // 2^40 ways to split: no end without a budget
        for pattern in ["(a|a)*c", "(a+)+b", "(?:a|aa)+b"] {
            XCTAssertThrowsError(try run(pattern, on: text), pattern) { error in
                XCTAssertEqual((error as? RegexStepBudget.Exhausted)?.pattern, pattern)
            }
        }
        // A long subject gets a proportionally larger budget, and still runs out.
        XCTAssertThrowsError(try run("(a|a)*c", on: String(repeating: "a", count: 20_000)))
        // Polynomial blow-up over many start positions runs out too.
        XCTAssertThrowsError(try run(#"\s*\s*\s*x"#, on: String(repeating: " ", count: 5_000)))
    }

    func testTheBudgetRunsOutAtItsLimitNotBeyond() throws {
        let regex = try ScalarRegex(pattern: "(a|a)*c")
        let scalars = Array(repeating: UInt32(0x61), count: 40)
        var budget = RegexStepBudget(scalars: scalars.count)
        var stack: [ScalarRegex.Frame] = []
        XCTAssertThrowsError(try scalars.withUnsafeBufferPointer { buffer throws(RegexStepBudget.Exhausted) in
            try regex.forEachMatch(in: buffer, from: 0, to: scalars.count, stack: &stack, budget: &budget) { _, _ in }
        })
        XCTAssertEqual(budget.used, budget.limit)
        XCTAssertEqual(budget.limit, RegexStepBudget.baseSteps + 40 * RegexStepBudget.stepsPerScalar)
        XCTAssertTrue(stack.isEmpty, "no choice points left behind")
    }

    func testAHostileTokenizerFileFailsWithTheFileAndThePatternNamed() throws {
        var tiny = TinyTokenizer()
        tiny.preTokenizer = ["type": "Sequence", "pretokenizers": [
            ["type": "Split", "pattern": ["Regex": "(a|a)*c"], "behavior": "Isolated", "invert": false],
            ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false],
        ]]
        let data = [UInt8](try JSONSerialization.data(withJSONObject: tiny.json))
        let tokenizer = try Tokenizer(json: JSONField(try JSONParser.parse(data)), config: nil,
                                      tokenizerFile: "/models/evil/tokenizer.json", configFile: nil)
        XCTAssertEqual(try tokenizer.encode("xyz", addSpecialTokens: false).count, 3, "harmless text still encodes")
        let hostile = String(repeating: "a", count: 64) + "!"
        XCTAssertThrowsError(try tokenizer.encode(hostile)) { error in
            let message = "\(error)"
            XCTAssertTrue(error is TokenizerError, message)
            XCTAssertTrue(message.hasPrefix("/models/evil/tokenizer.json: "), message)
            XCTAssertTrue(message.contains(#""(a|a)*c""#), message)
            XCTAssertTrue(message.contains("catastrophic backtracking"), message)
        }
    }

    /// Real patterns on the oracle cases and on long degenerate inputs stay far below the budget: the
    /// measured steps are a small fraction of it (a ratio of counts, so the machine's speed does not matter).
    func testRealPatternsStayFarBelowTheBudget() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(), let path = SharedData.path("tokenizer/cases.jsonl") else { return }
        var texts: [String] = []
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            texts.append(try XCTUnwrap(json["text"] as? String))
        }
        XCTAssertEqual(texts.count, 314)
        let long = [String(repeating: " ", count: 100_000) + "x", String(repeating: "a", count: 100_000),
                    String(repeating: "7", count: 100_000), String(repeating: "深度求索", count: 25_000),
                    String(repeating: "\n \t", count: 30_000), String(repeating: "Hello, world! 123 ", count: 5_000),
                    String(repeating: "!?", count: 50_000), String(repeating: "  \n", count: 30_000)]
        var worst = 0.0
        var worstText = ""
        for text in texts + long {
            var budget = RegexStepBudget(scalars: text.unicodeScalars.count)
            _ = try tokenizer.encode(text, addSpecialTokens: false, budget: &budget)
            let share = Double(budget.used) / Double(budget.limit)
            if share > worst { (worst, worstText) = (share, String(text.prefix(40))) }
        }
        XCTAssertLessThan(worst, 0.05, "DeepSeek's pre-tokenizer used \(worst) of its budget on \(worstText.debugDescription)")
        print("DeepSeek pre-tokenizer: at most \(worst) of the step budget (\(worstText.prefix(12).debugDescription))")

        // The other families' patterns, per scalar of long inputs: a few dozen steps at most, against
        // `stepsPerScalar` allowed.
        for pattern in [PreTokenizer.gpt2Pattern, RegexTests.llama3, RegexTests.qwen2] {
            var most = 0.0
            for text in long {
                let budget = try run(pattern, on: text)
                let perScalar = Double(budget.used) / Double(text.unicodeScalars.count)
                most = max(most, perScalar)
                XCTAssertLessThan(perScalar, Double(RegexStepBudget.stepsPerScalar) / 20, "\(pattern) on \(text.prefix(20).debugDescription)")
            }
            print("\(pattern.prefix(24))…: at most \(most) steps per character")
        }
    }

    func testPatternSizeAndNestingAreBoundedWhenParsed() {
        func refused(_ pattern: String, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try ScalarRegex(pattern: pattern), line: line) { error in
                let message = (error as? RegexSyntaxError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains(fragment), message, line: line)
            }
        }
        refused(String(repeating: "a", count: RegexParser.maxScalars + 1), "characters long")
        refused(String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100), "nested more than")
        refused(String(repeating: "(?:", count: 3_000) + "a" + String(repeating: ")", count: 3_000), "nested more than")
        refused(String(repeating: "[", count: 100) + "a" + String(repeating: "]", count: 100), "nested more than")
        refused("(?:abc){40000}", "instructions")
        refused("((?:ab){1000}){1000}", "instructions")
        refused("(?:[a][b]){400}", "character sets")
        refused("a{2}{2}{2}{2}{2}", "quantifiers in a row")
        XCTAssertNoThrow(try ScalarRegex(pattern: String(repeating: "(", count: 60) + "a" + String(repeating: ")", count: 60)))
        XCTAssertNoThrow(try ScalarRegex(pattern: RegexTests.llama3))
    }
}
