import Foundation
import XCTest

/// The full `--help` of seek and of each subcommand, compared exactly with the texts in Help/: any
/// change to a flag, its wording or the layout shows up here and has to be made there too.
final class HelpTests: XCTestCase {
    private func assertHelp(_ arguments: [String], matches name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let home = try TestPaths.temporaryFolder(for: self)
        // A fixed width: ArgumentParser wraps to the terminal's (or $COLUMNS) width.
        let run = try SeekProcess.run(arguments, environment: TestPaths.isolatedEnvironment(home: home, extra: ["COLUMNS": "80"]))
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        XCTAssertEqual(run.stderr, "", file: file, line: line)
        let expectedPath = TestPaths.packageRoot.appendingPathComponent("Tests/SeekCLITests/Help/\(name).txt").path
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        XCTAssertEqual(run.stdout, expected, "seek \(arguments.joined(separator: " ")) differs from \(expectedPath)", file: file, line: line)
    }

    func testSeek() throws { try assertHelp(["--help"], matches: "seek") }
    func testChat() throws { try assertHelp(["chat", "--help"], matches: "chat") }
    func testTokenize() throws { try assertHelp(["tokenize", "--help"], matches: "tokenize") }
    func testModels() throws { try assertHelp(["models", "--help"], matches: "models") }
    func testQuantize() throws { try assertHelp(["quantize", "--help"], matches: "quantize") }
    func testBench() throws { try assertHelp(["bench", "--help"], matches: "bench") }
    func testCache() throws { try assertHelp(["cache", "--help"], matches: "cache") }
    func testCacheRemove() throws { try assertHelp(["cache", "rm", "--help"], matches: "cache-rm") }
    func testServe() throws { try assertHelp(["serve", "--help"], matches: "serve") }

    /// Help names where each sampling default really comes from, not one fixed number.
    func testSamplingDefaultsAreNamedHonestly() throws {
        for name in ["seek", "chat"] {
            let path = TestPaths.packageRoot.appendingPathComponent("Tests/SeekCLITests/Help/\(name).txt").path
            let help = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertFalse(help.contains("(default -1)") || help.contains("(default 1)") || help.contains("(default 0.8)"), help)
            XCTAssertTrue(help.contains("generation_config.json"), help)
        }
    }

    /// bench takes numbers for -p and -n and nothing it would ignore (its own --verbose is the time per
    /// phase, so the root's --seed stands in for a flag it would ignore; -c is its own, the cache size).
    func testBenchAcceptsOnlyWhatItUses() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let environment = TestPaths.isolatedEnvironment(home: home)
        for ignored in [["--seed", "7"], ["--temp", "0"], ["--system", "x"]] {
            let run = try SeekProcess.run(["bench"] + ignored, environment: environment)
            XCTAssertEqual(run.status, 64, "bench accepted \(ignored)")
            XCTAssertTrue(run.stderr.hasPrefix("error: Unknown option '\(ignored[0])'"), run.stderr)
            XCTAssertTrue(run.stderr.contains("See 'seek bench --help'"), run.stderr)
        }
        let misplaced = try SeekProcess.run(["-m", "x", "bench", "-p", "8"], environment: environment)
        XCTAssertEqual(misplaced.status, 64)
        XCTAssertTrue(misplaced.stderr.hasPrefix("error: give 'bench' first"), misplaced.stderr)
    }
}
