import Foundation
import XCTest

/// A generated corpus of bad inputs run through the real binary: every file of a model folder and the
/// registry replaced by each kind of corruption, and every numeric flag given each kind of bad value.
/// Each run must end in one of three outcomes: success with output, `error: …` on one line with status
/// 1 (64 for usage, which also prints the usage), or warnings and then success. Never a signal, a hang
/// (each run has a time limit), or a stack trace.
final class BadInputCorpusTests: XCTestCase {
    private var fixture: String { TestPaths.fixture("tiny-chat") }

    private enum Corruption: CaseIterable {
        case empty, garbage, openBrace, jsonArray, jsonNull, wrongTypes, truncated, fifo, directory, device, danglingLink

        var label: String { "\(self)" }
    }

    /// Replaces `path` (a file or symlink) with `corruption` of `original`'s content.
    private func corrupt(_ path: String, original: String, with corruption: Corruption) throws {
        try? FileManager.default.removeItem(atPath: path)
        func write(_ data: Data) throws { try data.write(to: URL(fileURLWithPath: path)) }
        switch corruption {
        case .empty: try write(Data())
        case .garbage: try write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }))
        case .openBrace: try write(Data("{".utf8))
        case .jsonArray: try write(Data("[1, 2, 3]".utf8))
        case .jsonNull: try write(Data("null".utf8))
        case .wrongTypes: try write(Data("{\"models\": 3, \"model_type\": 7, \"vocab_size\": \"x\", \"model\": [], \"added_tokens\": 5}".utf8))
        case .truncated:
            let data = (try? Data(contentsOf: URL(fileURLWithPath: original))) ?? Data("{\"a\": 1}".utf8)
            try write(data.prefix(data.count / 2))
        case .fifo: XCTAssertEqual(mkfifo(path, 0o644), 0)
        case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        case .device: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
        case .danglingLink: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: path + ".nowhere")
        }
    }

    /// Runs seek through bash with a time limit; returns the run and fails the test on a bad outcome.
    @discardableResult
    private func check(_ arguments: String, home: String, label: String, file: StaticString = #filePath, line: UInt = #line) throws -> SeekRun {
        var environment = TestPaths.isolatedEnvironment(home: home)
        environment["SEEK"] = TestPaths.seekBinary
        let run = try SeekProcess.run(["-c", "cd \"$HOME\" && timeout 30 \"$SEEK\" \(arguments) </dev/null"], environment: environment,
                                      executable: "/bin/bash")
        let context = "\(label): seek \(arguments)\nstatus \(run.status)\nstderr: \(run.stderr)"
        XCTAssertNotEqual(run.status, 124, "hang: " + context, file: file, line: line)
        XCTAssertLessThan(run.status, 128, "signal: " + context, file: file, line: line)
        XCTAssertFalse(run.stderr.contains("Fatal error") || run.stderr.contains("Backtrace") || run.stderr.contains("Stack dump"),
                       context, file: file, line: line)
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        switch run.status {
        case 0:
            XCTAssertFalse(run.stdout.isEmpty, "success without output: " + context, file: file, line: line)
            XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("warning: ") }, "only warnings on success: " + context, file: file, line: line)
        case 1:
            XCTAssertEqual(run.stdout, "", context, file: file, line: line)
            XCTAssertEqual(lines.filter { $0.hasPrefix("error: ") }.count, 1, "one error line: " + context, file: file, line: line)
            XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("error: ") || $0.hasPrefix("warning: ") }, context, file: file, line: line)
        case 64:
            XCTAssertTrue(run.stderr.hasPrefix("error: ") && run.stderr.contains("Usage: seek"), context, file: file, line: line)
        default:
            XCTFail("unexpected status: " + context, file: file, line: line)
        }
        return run
    }

    func testEveryModelFileCorruptedEveryWay() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let folder = home + "/model"
        let names = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"]
        var outcomes: [Int32: Int] = [:]
        for target in names {
            for corruption in Corruption.allCases {
                try? FileManager.default.removeItem(atPath: folder)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for name in names where name != "generation_config.json" {
                    try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: fixture + "/" + name)
                }
                try corrupt(folder + "/" + target, original: fixture + "/" + target, with: corruption)
                let run = try check("-m model -p hi -n 2", home: home, label: "\(target) \(corruption.label)")
                outcomes[run.status, default: 0] += 1
                if target == "generation_config.json" {
                    // Optional: whatever is wrong with it, the run goes on (with a warning, unless absent).
                    XCTAssertEqual(run.status, 0, "\(corruption.label): \(run.stderr)")
                    // (A dangling link is an absent file; wrongTypes holds no sampling key.)
                    if corruption != .danglingLink && corruption != .wrongTypes { XCTAssertTrue(run.stderr.contains("warning: "), "\(corruption.label): \(run.stderr)") }
                }
            }
        }
        XCTAssertGreaterThan(outcomes[1, default: 0], 30, "\(outcomes)")
    }

    func testRegistryCorruptedEveryWay() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        try FileManager.default.createDirectory(atPath: home + "/config/seek", withIntermediateDirectories: true)
        for corruption in Corruption.allCases {
            try corrupt(home + "/config/seek/models.json", original: TestPaths.packageRoot.path + "/models.example.json", with: corruption)
            try check("-m good -p hi -n 2", home: home, label: "registry \(corruption.label)")
            try check("models", home: home, label: "registry \(corruption.label)")
        }
    }

    func testEveryNumericFlagGivenBadValues() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let flags = ["-n", "-c", "-t", "--top-k", "--top-p", "--min-p", "--temp", "--repeat-penalty", "-s"]
        let values = ["-1", "0", "1e40", "nan", "-inf", "99999999999999999999", "9223372036854775807", "abc", "''"]
        for flag in flags {
            for value in values {
                try check("-m \(fixture) -p hi -n 2 \(flag) \(value)", home: home, label: "\(flag) \(value)")
            }
        }
        for command in ["tokenize -m \(fixture) --json hi", "models -p x", "-m '' -p hi", "-m \(fixture) -f ''",
                        "-m \(fixture) -f /dev/null", "bench -m \(fixture) -p 99999999999", "bench -m \(fixture) -n 9223372036854775807",
                        "quantize -m \(fixture) --quant q8 ''", "-m \(fixture) --models /dev/null -p hi"] {
            try check(command, home: home, label: command)
        }
    }
}
