import Foundation
import XCTest

/// Every documented command whose output is deterministic (greedy or seeded generation, tokenizing,
/// errors) is run as written, in bash, and its output compared with the text in README.md and
/// docs/cli.md. `tiny` is set up as the docs say (a registry entry for the tiny-chat fixture), and the
/// temporary home folder is shown as /home/me, as in the docs.
final class DocumentationTests: XCTestCase {
    private struct Example {
        var file: String
        var command: String
        var output: String
    }

    /// `$ command` lines in fenced blocks, each with the lines after it up to the next `$ ` or the end of the block.
    private static func examples(in file: String) throws -> [Example] {
        let text = try String(contentsOfFile: TestPaths.packageRoot.appendingPathComponent(file).path, encoding: .utf8)
        var examples: [Example] = []
        var inBlock = false
        var current: Example?
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if let example = current { examples.append(example) }
                current = nil
                inBlock.toggle()
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                if let example = current { examples.append(example) }
                current = Example(file: file, command: String(line.dropFirst(2)), output: "")
            } else if current != nil {
                current!.output += line + "\n"
            }
        }
        // A blank line between examples is layout, not output.
        return examples.map { example in
            var trimmed = example
            while trimmed.output.hasSuffix("\n\n") || trimmed.output == "\n" { trimmed.output.removeLast() }
            return trimmed
        }
    }

    /// Whether the command's output can be compared: one-shot runs that are greedy or seeded, tokenizing,
    /// quantizing and errors; not timings (--verbose, --json, bench), not listings with machine paths.
    private static func isDeterministic(_ command: String) -> Bool {
        let skipped = ["--verbose", "--json", "seek bench", "seek models", "seek cache", "-n -1", "setup.sh", "install.sh", "swift ", "--remote", "seek serve"]
        guard !skipped.contains(where: command.contains) else { return false }
        let oneShot = command.contains(" -p ") || command.contains("| seek") || command.contains("seek tokenize") || command.contains("seek quantize")
        let reproducible = command.contains("--temp 0") || command.contains("--seed ") || command.contains("-m tiny") || command.contains("exit status")
        return oneShot && reproducible
    }

    func testDocumentedOutputsAreWhatSeekPrints() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let work = home + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/models", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/.config/seek", withIntermediateDirectories: true)
        // The registry the docs describe for `-m tiny` and `lite`.
        let registry = """
            {"models": {
               "tiny": {"path": "\(TestPaths.fixture("tiny-chat"))", "description": "test fixture: real vocabulary, random weights",
                        "sampling": {"temperature": 0, "max_tokens": 24}},
               "lite": {"path": "~/models/DeepSeek-V2-Lite-Chat"}}}
            """
        try registry.write(toFile: home + "/.config/seek/models.json", atomically: true, encoding: .utf8)
        var environment = TestPaths.isolatedEnvironment(home: home, extra: [
            "SEEK_DEFAULT_MODEL": TestPaths.packageRoot.appendingPathComponent("Models/seek-mini").path,
            "PATH": TestPaths.productsDirectory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ])
        environment["XDG_CONFIG_HOME"] = nil  // ~/.config, as the docs show it

        var checked = 0
        for file in ["README.md", "docs/cli.md"] {
            for example in try Self.examples(in: file) where Self.isDeterministic(example.command) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/bash")
                process.arguments = ["-c", "cd \(work) && {\n\(example.command)\n} 2>&1"]
                process.environment = environment
                let output = Pipe()
                process.standardOutput = output
                process.standardInput = FileHandle.nullDevice
                try process.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                var printed = String(decoding: data, as: UTF8.self).replacingOccurrences(of: home, with: "/home/me")
                // Elapsed time is the one number that changes from run to run.
                printed = printed.replacingOccurrences(of: #"\d+\.\d s\n"#, with: "0.1 s\n", options: .regularExpression)
                XCTAssertEqual(printed, example.output, "\(file): $ \(example.command)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 12, "the docs' deterministic examples were found")
    }

    /// models.example.json copied where the docs say: plain `seek` still runs the bundled model, and
    /// `seek models` reads it.
    func testTheExampleRegistryWorksWhenCopiedAsDocumented() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        try FileManager.default.createDirectory(atPath: home + "/config/seek", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.packageRoot.appendingPathComponent("models.example.json").path,
                                         toPath: home + "/config/seek/models.json")
        let environment = TestPaths.isolatedEnvironment(home: home, extra: [
            "SEEK_DEFAULT_MODEL": TestPaths.packageRoot.appendingPathComponent("Models/seek-mini").path])
        let run = try SeekProcess.run(["-p", "And the LORD said unto Moses,", "-n", "8", "--temp", "0"], environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, " I will not be a man to do\n")
        let models = try SeekProcess.run(["models"], environment: environment)
        XCTAssertEqual(models.status, 0, models.stderr)
        XCTAssertTrue(models.stdout.contains("bundled seek-mini"), models.stdout)
        XCTAssertTrue(models.stdout.contains("lite "), models.stdout)
    }
}
