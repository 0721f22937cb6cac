import Foundation
import XCTest
@testable import seek

/// The command line with its standard streams and files made hostile through a shell: a full disk, a
/// closed stdout or stdin, a directory as stdin, FIFOs and streams as prompt files, a huge prompt file,
/// an already quantized folder, a file size limit while quantizing, broken model folders in listings.
final class InputOutputRobustnessTests: XCTestCase {
    private var fixture: String { TestPaths.fixture("tiny-chat") }

    /// Runs `script` with bash, `$SEEK` set to the built binary, in an isolated home.
    private func shell(_ script: String, home: String? = nil) throws -> SeekRun {
        let home = try home ?? TestPaths.temporaryFolder(for: self)
        var environment = TestPaths.isolatedEnvironment(home: home)
        environment["SEEK"] = TestPaths.seekBinary
        environment["FIXTURE"] = fixture
        return try SeekProcess.run(["-c", "cd \"$HOME\" && " + script], environment: environment, executable: "/bin/bash")
    }

    private func assertFails(_ run: SeekRun, saying text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 1, run.stderr, file: file, line: line)
        XCTAssertTrue(run.stderr.contains(text), "stderr: \(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("error: ") || run.stderr.contains("\nerror: "), run.stderr, file: file, line: line)
        XCTAssertFalse(run.stderr.contains("Fatal error") || run.stderr.contains("Stack dump") || run.stderr.contains("Backtrace"),
                       run.stderr, file: file, line: line)
    }

    /// `seek serve` reserves a KV cache per slot: slots that could never fit in memory are refused at
    /// start with the bytes they would need, before anything binds a port.
    func testServeSlotsBeyondMemoryAreRefused() throws {
        let run = try shell("timeout 60 $SEEK serve -m $FIXTURE -c 512 --parallel 1000000 --port 0")
        assertFails(run, saying: "tokens needs")
        XCTAssertFalse(run.stderr.contains("listening on"), run.stderr)
    }

    func testOutputThatCannotBeWrittenIsAnError() throws {
        for command in ["$SEEK -m $FIXTURE -p hi -n 2", "$SEEK -m $FIXTURE -p hi -n 2 --json", "$SEEK tokenize -m $FIXTURE hello",
                        "$SEEK models", "$SEEK --help", "$SEEK tokenize --help", "$SEEK --version"] {
            assertFails(try shell(command + " > /dev/full"), saying: "error: stdout: No space left on device")
            assertFails(try shell(command + " >&-"), saying: "error: stdout: Bad file descriptor")
        }
    }

    /// A reader that has gone (EPIPE): seek stops quietly, and does not report success.
    func testClosedPipeEndsQuietlyWithoutSuccess() throws {
        let run = try shell("$SEEK -m $FIXTURE -p hi -n 50 2>err.txt | true; echo \"status ${PIPESTATUS[0]}\"; cat err.txt")
        XCTAssertEqual(run.stdout, "status 1\n", run.stdout + run.stderr)
    }

    func testStdinClosedOrADirectory() throws {
        assertFails(try shell("$SEEK -m $FIXTURE -n 3 <&-"), saying: "error: stdin: closed")
        assertFails(try shell("$SEEK -m $FIXTURE -n 3 < /tmp"), saying: "error: stdin: is a directory")
        assertFails(try shell("$SEEK tokenize -m $FIXTURE < /tmp"), saying: "error: stdin: is a directory")
        // A prompt from -p does not need stdin at all.
        XCTAssertEqual(try shell("$SEEK -m $FIXTURE -p hi -n 1 <&-").status, 0)
    }

    private func promptTokens(_ run: SeekRun, file: StaticString = #filePath, line: UInt = #line) throws -> [Int] {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], file: file, line: line)
        XCTAssertEqual(object["tokens"] as? [Int], [], "-n 0 generates nothing", file: file, line: line)
        return try XCTUnwrap(object["prompt_tokens"] as? [Int], file: file, line: line)
    }

    func testPromptStreamsCRLFAndNoTokens() throws {
        let plain = try promptTokens(try shell("$SEEK -m $FIXTURE --raw -n 0 --json -p hello"))
        XCTAssertEqual(try promptTokens(try shell("printf 'hello\\r\\n' | $SEEK -m $FIXTURE --raw -n 0 --json")), plain)
        XCTAssertEqual(try promptTokens(try shell("printf 'hello\\r\\n' > p.txt; $SEEK -m $FIXTURE --raw -n 0 --json -f p.txt")), plain)
        XCTAssertEqual(try promptTokens(try shell("$SEEK -m $FIXTURE --raw -n 0 --json -f <(printf 'hello\\n')")), plain)
        XCTAssertEqual(try promptTokens(try shell("printf hello | $SEEK -m $FIXTURE --raw -n 0 --json -f /dev/stdin")), plain)
        assertFails(try shell("$SEEK -m $FIXTURE -f /tmp"), saying: "error: /tmp: is a directory")
    }

    func testHugePromptFileFailsFast() throws {
        let start = Date()
        let run = try shell("head -c 50000000 /dev/zero | tr '\\0' a > big.txt; $SEEK -m $FIXTURE --raw -f big.txt -n 1")
        assertFails(run, saying: "big.txt: the prompt is more than")
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
        assertFails(try shell("head -c 50000000 /dev/zero | tr '\\0' a | $SEEK -m $FIXTURE --raw -n 1"), saying: "stdin: the prompt is more than")
    }

    func testNoAdviceToRaiseTheContextPastTheModelsMaximum() throws {
        let long = String(repeating: "many words here ", count: 400)
        let atMaximum = try shell("$SEEK -m $FIXTURE --raw -c 512 -p '\(long)'")
        assertFails(atMaximum, saying: "longer than the context of 512, the model's maximum")
        XCTAssertFalse(atMaximum.stderr.contains("raise --ctx-size"), atMaximum.stderr)
        assertFails(try shell("$SEEK -m $FIXTURE --raw -c 64 -p '\(long)'"), saying: "(raise --ctx-size)")
    }

    func testEmptyModelNameNamesTheFlag() throws {
        assertFails(try shell("$SEEK -m '' -p hi"), saying: "error: --model: the model name is empty")
    }

    func testQuantizeRefusesQuantizedInputAndLeavesNothingHalfWritten() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let lite = TestPaths.fixture("tiny-lite")
        XCTAssertEqual(try shell("$SEEK quantize -m \(lite) --quant q8 q8", home: home).status, 0)
        assertFails(try shell("$SEEK quantize -m q8 --quant q4 q4", home: home), saying: "already quantized to q8")
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/q4"))
        // A file size limit hit halfway: an error in words, and no output folder or temporary left.
        let limited = try shell("ulimit -f 16; $SEEK quantize -m \(lite) --quant q4 out", home: home)
        assertFails(limited, saying: "File too large")
        XCTAssertEqual(limited.stderr.filter { $0 == "\n" }.count, 1, limited.stderr)
        let left = try FileManager.default.contentsOfDirectory(atPath: home).filter { $0.contains("out") }
        XCTAssertEqual(left, [])
    }

    func testModelsSaysNoForTruncatedOrNaNWeightsAndReportsBadEntries() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let lite = TestPaths.fixture("tiny-lite")
        for name in ["cut", "nan"] {
            try FileManager.default.createDirectory(atPath: home + "/\(name)", withIntermediateDirectories: true)
            for file in ["config.json"] { try FileManager.default.copyItem(atPath: lite + "/" + file, toPath: home + "/\(name)/" + file) }
            try FileManager.default.copyItem(atPath: fixture + "/tokenizer.json", toPath: home + "/\(name)/tokenizer.json")
        }
        var weights = try Data(contentsOf: URL(fileURLWithPath: lite + "/model.safetensors"))
        try weights.prefix(weights.count - 100).write(to: URL(fileURLWithPath: home + "/cut/model.safetensors"))
        let headerEnd = 8 + Int(weights.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        // lm_head.weight is the first tensor of the data block (names are sorted): its first value NaN.
        weights.replaceSubrange(headerEnd..<(headerEnd + 2), with: [0xC0, 0x7F])
        try weights.write(to: URL(fileURLWithPath: home + "/nan/model.safetensors"))
        let registry = """
            {"models": {"good": {"path": "\(fixture)"}, "cut": {"path": "cut"}, "nan": {"path": "nan"},
                        "typo": {"path": "\(lite)", "sampling": {"temperature": true}}}}
            """
        try FileManager.default.createDirectory(atPath: home + "/config/seek", withIntermediateDirectories: true)
        try registry.write(toFile: home + "/config/seek/models.json", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: home + "/cut", toPath: home + "/config/seek/cut")
        try FileManager.default.moveItem(atPath: home + "/nan", toPath: home + "/config/seek/nan")
        let run = try shell("$SEEK models", home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        func row(_ name: String) -> String { run.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? "" }
        XCTAssertTrue(row("cut").contains(" no "), run.stdout)
        XCTAssertTrue(row("nan").contains(" no ") && row("nan").contains("NaN"), run.stdout)
        XCTAssertTrue(row("typo").contains(" no ") && row("typo").contains("temperature must be a number, got true"), run.stdout)
        XCTAssertTrue(row("good").contains(" yes "), run.stdout)
        // The bad entry blocks neither the good one nor a folder path.
        XCTAssertEqual(try shell("$SEEK -m good -p hi -n 1", home: home).status, 0)
        XCTAssertEqual(try shell("$SEEK -m $FIXTURE -p hi -n 1", home: home).status, 0)
        assertFails(try shell("$SEEK -m typo -p hi -n 1", home: home), saying: "temperature must be a number")
    }

    func testUnknownBOSTokenIsAnErrorAndUnreadableGenerationConfigAWarning() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let folder = home + "/model"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "tokenizer.json"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: fixture + "/" + name)
        }
        let original = try Data(contentsOf: URL(fileURLWithPath: fixture + "/tokenizer_config.json"))
        var config = try JSONSerialization.jsonObject(with: original) as! [String: Any]
        config["bos_token"] = "<|no such token|>"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        try FileManager.default.createDirectory(atPath: folder + "/generation_config.json", withIntermediateDirectories: false)
        // add_bos_token is true here, so an unknown BOS cannot be dropped silently: the run stops.
        assertFails(try shell("$SEEK -m \(folder) --raw -p hi -n 1", home: home),
                    saying: "\(folder)/tokenizer_config.json: add_bos_token is true but bos_token \"<|no such token|>\" is not a token")
        try original.write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        let run = try shell("$SEEK -m \(folder) --raw -p hi -n 1", home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: \(folder)/generation_config.json: is a directory"), run.stderr)
    }

    func testConfigAndWeightsErrorsAreOneLine() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let folder = home + "/model"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["config.json", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: fixture + "/" + name)
        }
        XCTAssertEqual(mkfifo(folder + "/model.safetensors", 0o644), 0)
        let run = try shell("timeout 20 $SEEK -m \(folder) -p hi -n 1", home: home)
        assertFails(run, saying: "model.safetensors: is a FIFO, not a regular file")
        XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
    }
}

final class HistoryFileRobustnessTests: XCTestCase {
    func testEntriesKeepTheirExactText() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        let history = HistoryFile(path: folder + "/history")
        let entries = ["a\rb", "line\r\nnext", "tail\r", "\\r literally", "plain"]
        for entry in entries { try history.append(entry) }
        XCTAssertEqual(history.load(), entries)
    }

    func testOnlyTheTailOfAHugeFileIsRead() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        var history = HistoryFile(path: folder + "/history")
        history.tailBytes = 4096
        let lines = (0..<20_000).map { "entry number \($0)\n" }.joined()
        try lines.write(toFile: history.path, atomically: true, encoding: .utf8)
        let loaded = history.load()
        XCTAssertEqual(loaded.last, "entry number 19999")
        XCTAssertLessThan(loaded.count, 300)
        XCTAssertTrue(loaded.first?.hasPrefix("entry number ") == true, "no partial first line: \(loaded.first ?? "")")
        // The trim after an append keeps the newest entries, atomically.
        history.limit = 10
        try history.append("new")
        XCTAssertEqual(history.load().suffix(2), ["entry number 19999", "new"])
        XCTAssertLessThanOrEqual(history.load().count, 10)
    }
}
