import Foundation
import XCTest

/// Every failure: one line on stderr, a nonzero exit status, nothing on stdout, no stack trace.
final class ErrorTests: XCTestCase {
    private var fixture: String { TestPaths.fixture("tiny-chat") }

    private func seek(_ arguments: [String], stdin: Data = Data()) throws -> SeekRun {
        let home = try TestPaths.temporaryFolder(for: self)
        return try SeekProcess.run(arguments, stdin: stdin, environment: TestPaths.isolatedEnvironment(home: home))
    }

    private func assertFails(_ run: SeekRun, status: Int32 = 1, saying text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, status, run.stderr, file: file, line: line)
        XCTAssertEqual(run.stdout, "", file: file, line: line)
        XCTAssertTrue(run.stderr.contains(text), "stderr was: \(run.stderr)", file: file, line: line)
        XCTAssertFalse(run.stderr.contains("Stack dump") || run.stderr.contains("Fatal error"), run.stderr, file: file, line: line)
        if status == 1 {
            XCTAssertTrue(run.stderr.hasPrefix("error: "), run.stderr, file: file, line: line)
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "one line: \(run.stderr)", file: file, line: line)
        }
    }

    func testUnknownModelNameListsTheKnownOnes() throws {
        assertFails(try seek(["-m", "nosuchmodel", "-p", "hi"]), saying: "unknown model \"nosuchmodel\"")
        assertFails(try seek(["-m", "nosuchmodel", "-p", "hi"]), saying: "known models: default")
    }

    func testFolderWithoutConfigOrWeights() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        assertFails(try seek(["-m", folder, "-p", "hi"]), saying: "\(folder): no config.json")
        try FileManager.default.copyItem(atPath: fixture + "/config.json", toPath: folder + "/config.json")
        assertFails(try seek(["-m", folder, "-p", "hi"]), saying: "\(folder): no *.safetensors")
        assertFails(try seek(["-m", folder + "/missing", "-p", "hi"]), saying: "no such folder")
    }

    func testUnsupportedConfig() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        for name in ["model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: fixture + "/" + name)
        }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture + "/config.json"))) as! [String: Any]
        config["model_type"] = "llama"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder + "/config.json"))
        assertFails(try seek(["-m", folder, "-p", "hi"]), saying: "llama")
    }

    func testACatastrophicPreTokenizerPatternIsAnErrorNotAHang() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        for name in ["model.safetensors", "config.json", "tokenizer_config.json"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: fixture + "/" + name)
        }
        var tokenizer = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture + "/tokenizer.json"))) as! [String: Any]
        let split: [String: Any] = ["type": "Split", "pattern": ["Regex": "(a|a)*c"], "behavior": "Isolated", "invert": false]
        tokenizer["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [split, tokenizer["pre_tokenizer"]!]]
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        let prompt = String(repeating: "a", count: 60)
        assertFails(try seek(["-m", folder, "--raw", "-p", prompt]), saying: "\(folder)/tokenizer.json: the pre-tokenizer regex \"(a|a)*c\"")
        assertFails(try seek(["tokenize", "-m", folder, prompt]), saying: "catastrophic backtracking")
    }

    func testPromptLongerThanTheContext() throws {
        let long = String(repeating: "many words here ", count: 50)
        assertFails(try seek(["-m", fixture, "--raw", "--ctx-size", "32", "-p", long]), saying: "longer than the context of 32")
    }

    func testUnreadablePromptFile() throws {
        assertFails(try seek(["-m", fixture, "-f", "/nonexistent/prompt.txt"]), saying: "/nonexistent/prompt.txt: no such file")
    }

    func testConflictingAndInvalidFlagsShowUsage() throws {
        let both = try seek(["-m", fixture, "-p", "hi", "-f", "x.txt"])
        assertFails(both, status: 64, saying: "--prompt and --file cannot be used together")
        XCTAssertTrue(both.stderr.contains("Usage: seek"), both.stderr)
        assertFails(try seek(["-m", fixture, "--raw", "--system", "x", "-p", "hi"]), status: 64, saying: "--raw and --system")
        assertFails(try seek(["-m", fixture, "--temp", "-1", "-p", "hi"]), status: 64, saying: "--temp must be 0 or more")
        assertFails(try seek(["-m", fixture, "--top-p", "0", "-p", "hi"]), status: 64, saying: "--top-p must be in (0, 1]")
        assertFails(try seek(["-m", fixture, "--ctx-size", "0", "-p", "hi"]), status: 64, saying: "--ctx-size must be at least 1")
        assertFails(try seek(["--bogus"]), status: 64, saying: "Unknown option '--bogus'")
        assertFails(try seek(["chat", "-m", fixture, "-p", "hi"]), status: 64, saying: "'seek chat' takes no prompt")
    }

    func testInvalidUTF8OnStdinIsReplacedWithAWarning() throws {
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "4"], stdin: Data([0x48, 0x69, 0xff, 0xfe, 0x21]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("warning: stdin is not valid UTF-8"), run.stderr)
        XCTAssertFalse(run.stdout.isEmpty)
    }

    func testEmptyPromptAndChatWithoutATerminal() throws {
        assertFails(try seek(["-m", fixture]), saying: "the prompt is empty")
        assertFails(try seek(["chat", "-m", fixture]), saying: "the chat needs a terminal")
    }

    func testModelWithoutTokenizer() throws {
        assertFails(try seek(["-m", TestPaths.fixture("tiny-lite"), "-p", "hi"]), saying: "no tokenizer.json")
    }
}
