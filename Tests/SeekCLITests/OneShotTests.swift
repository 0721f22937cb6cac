import Foundation
import XCTest

/// `seek -p`, `seek -f` and `… | seek`: the reply on stdout, the rest on stderr, greedy output equal
/// to the reference generation.
final class OneShotTests: XCTestCase {
    private var fixture: String { TestPaths.fixture("tiny-chat") }

    private func seek(_ arguments: [String], stdin: String = "", extraEnvironment: [String: String] = [:]) throws -> SeekRun {
        let home = try TestPaths.temporaryFolder(for: self)
        return try SeekProcess.run(arguments, stdin: Data(stdin.utf8),
                                   environment: TestPaths.isolatedEnvironment(home: home, extra: extraEnvironment))
    }

    func testGreedyRawCompletionsMatchTheReference() throws {
        let cases = try TextCase.load(fixture: fixture).filter { $0.mode == "raw" }
        XCTAssertFalse(cases.isEmpty)
        for reference in cases {
            let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "-p", reference.prompt!])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n", "prompt \(reference.prompt!)")
            XCTAssertEqual(run.stderr, "")
        }
    }

    func testGreedyChatRepliesMatchTheReference() throws {
        let cases = try TextCase.load(fixture: fixture).filter { $0.mode == "chat" && $0.messages.count <= 2 }
        XCTAssertEqual(cases.count, 2)
        for reference in cases {
            var arguments = ["-m", fixture, "--temp", "0", "-n", "24", "--json", "-p", reference.messages.last!["content"]!]
            if let system = reference.system { arguments += ["--system", system] }
            let run = try seek(arguments)
            XCTAssertEqual(run.status, 0, run.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["prompt_tokens"] as? [Int], reference.promptIds, "messages \(reference.messages)")
            XCTAssertEqual(object["tokens"] as? [Int], reference.idsUntilEOS, "messages \(reference.messages)")
            XCTAssertEqual(object["text"] as? String, reference.textUntilEOS, "messages \(reference.messages)")
        }
    }

    /// The weights mapped (--mmap) or copied (--no-mmap) give the reference's text either way.
    func testMappedAndCopiedWeightsGiveTheSameText() throws {
        let reference = try XCTUnwrap(try TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        for flag in ["--mmap", "--no-mmap"] {
            let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", flag, "-p", reference.prompt!])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n", flag)
        }
    }

    /// A bf16 cache on the float fixture, asked for by flag: still the reference's greedy text (the
    /// fixture's prompt is short, and a rounded latent moves its logits by under 0.11).
    func testBF16CacheGivesTheReferenceText() throws {
        let reference = try XCTUnwrap(try TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "--cache-type", "bf16", "-p", reference.prompt!])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n")
    }

    func testPipedStdinIsThePrompt() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        // echo adds a newline; seek drops one trailing newline.
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24"], stdin: reference.prompt! + "\n")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n")
        XCTAssertEqual(run.stderr, "")

        let chat = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "chat" && $0.system != nil })
        let chatRun = try seek(["-m", fixture, "--temp", "0", "-n", "24", "--system", chat.system!], stdin: chat.messages.last!["content"]! + "\n")
        XCTAssertEqual(chatRun.stdout, chat.textUntilEOS + "\n")
    }

    func testPromptFromAFile() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let folder = try TestPaths.temporaryFolder(for: self)
        try reference.prompt!.write(toFile: folder + "/prompt.txt", atomically: true, encoding: .utf8)
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "-f", folder + "/prompt.txt"])
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n")
    }

    func testJSONOutput() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "--json", "-p", reference.prompt!])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasSuffix("}\n"))
        XCTAssertEqual(run.stdout.filter { $0 == "\n" }.count, 1, "one JSON object on one line")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["model", "prompt_tokens", "tokens", "text", "finish_reason", "timings"])
        XCTAssertEqual(object["model"] as? String, "tiny-chat")
        XCTAssertEqual(object["prompt_tokens"] as? [Int], reference.promptIds)
        XCTAssertEqual(object["tokens"] as? [Int], reference.idsUntilEOS)
        XCTAssertEqual(object["text"] as? String, reference.textUntilEOS)
        let expectedFinish = reference.idsUntilEOS.count < 24 ? "stop" : "length"
        XCTAssertEqual(object["finish_reason"] as? String, expectedFinish)
        let timings = try XCTUnwrap(object["timings"] as? [String: Any])
        XCTAssertEqual(Set(timings.keys), ["prompt_ms", "decode_ms", "prompt_tps", "decode_tps"])
        for (key, value) in timings {
            let number = try XCTUnwrap(value as? Double, key)
            XCTAssertGreaterThanOrEqual(number, 0, key)
        }
        // The key order is the documented one.
        let order = ["\"model\"", "\"prompt_tokens\"", "\"tokens\"", "\"text\"", "\"finish_reason\"", "\"timings\""]
            .map { run.stdout.range(of: $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())

        let short = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "3", "--json", "-p", reference.prompt!])
        let shortObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(short.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(shortObject["finish_reason"] as? String, "length")
        XCTAssertEqual((shortObject["tokens"] as? [Int])?.count, 3)
        XCTAssertFalse(short.stderr.contains("warning"), "a reply cut by -n is not a full context: \(short.stderr)")

        // --logprobs N: one entry per generated token, from the distribution greedy decoding used.
        let withLogprobs = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "--json", "--logprobs", "2", "-p", reference.prompt!])
        XCTAssertEqual(withLogprobs.status, 0, withLogprobs.stderr)
        let logprobsObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(withLogprobs.stdout.utf8)) as? [String: Any])
        let entries = try XCTUnwrap(logprobsObject["logprobs"] as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["id"] as? Int }, reference.idsUntilEOS.map { $0 })
        for entry in entries {
            let top = try XCTUnwrap(entry["top_logprobs"] as? [[String: Any]])
            XCTAssertEqual(top.count, 2)
            XCTAssertEqual(top.first?["id"] as? Int, entry["id"] as? Int, "greedy takes the most likely token")
            XCTAssertEqual(Set(top[0].keys), ["id", "token", "logprob"])
            XCTAssertLessThanOrEqual(try XCTUnwrap(entry["logprob"] as? Double), 0)
        }
        let keys = ["\"finish_reason\"", "\"logprobs\"", "\"timings\""].map { withLogprobs.stdout.range(of: $0)!.lowerBound }
        XCTAssertEqual(keys, keys.sorted())
        XCTAssertEqual(try seek(["-m", fixture, "--logprobs", "2", "-p", "Hi"]).status, 64, "--logprobs needs --json")

        // A reply that reaches the end of the context ends with "length" and a warning.
        let full = try seek(["-m", fixture, "--raw", "--temp", "0", "--ctx-size", "12", "--json", "-p", reference.prompt!])
        XCTAssertEqual(full.status, 0, full.stderr)
        let fullObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(fullObject["finish_reason"] as? String, "length")
        XCTAssertEqual(reference.promptIds.count + ((fullObject["tokens"] as? [Int])?.count ?? 0), 13, "the context, plus the last token never fed back")
        XCTAssertEqual(full.stderr, "warning: the reply reached the end of the context (12 tokens) and was cut; raise --ctx-size for more\n")
    }

    func testStopStringsCutTheReply() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        // Stop at a piece from the middle of the reference text.
        let text = reference.textUntilEOS
        let stop = String(text.dropFirst(text.count / 2).prefix(4))
        let expected = String(text[..<text.range(of: stop)!.lowerBound])
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "--stop", stop, "--stop", "never appears",
                            "--json", "-p", reference.prompt!])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["text"] as? String, expected)
        XCTAssertEqual(object["finish_reason"] as? String, "stop")
    }

    func testTheSameSeedGivesTheSameOutput() throws {
        let arguments = ["-m", fixture, "--raw", "--temp", "1.0", "--top-k", "0", "--top-p", "1", "--min-p", "0", "-n", "16", "-p", "Hello"]
        let first = try seek(arguments + ["--seed", "42"])
        let second = try seek(arguments + ["-s", "42"])
        let other = try seek(arguments + ["--seed", "43"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, second.stdout)
        XCTAssertNotEqual(first.stdout, other.stdout)
    }

    func testVerboseReportsOnStderrOnly() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let run = try seek(["-m", fixture, "--raw", "--temp", "0", "-n", "24", "--verbose", "-p", reference.prompt!])
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n")
        XCTAssertTrue(run.stderr.contains("loaded tiny-chat in"), run.stderr)
        XCTAssertTrue(run.stderr.contains("tokens/s"), run.stderr)
    }

    func testRegistryNamesAndDefaults() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        try FileManager.default.createDirectory(atPath: home + "/config/seek", withIntermediateDirectories: true)
        let registry = """
            {"models": {"chat": {"path": "$FIXTURES/tiny-chat", "sampling": {"temperature": 0, "max_tokens": 24}},
                        "broken": {"path": "/nowhere"}}}
            """
        try registry.write(toFile: home + "/config/seek/models.json", atomically: true, encoding: .utf8)
        let fixtures = (fixture as NSString).deletingLastPathComponent
        let environment = TestPaths.isolatedEnvironment(home: home, extra: ["FIXTURES": fixtures])
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })

        let run = try SeekProcess.run(["-m", "chat", "--raw", "-p", reference.prompt!], environment: environment)
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n", run.stderr)

        let list = try SeekProcess.run(["models"], environment: environment)
        XCTAssertEqual(list.status, 0)
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        XCTAssertEqual(rows.first { $0.first == "chat" }?.dropFirst().first, "yes", list.stdout)
        XCTAssertEqual(rows.first { $0.first == "broken" }.map { Array($0.dropFirst()) }, ["no", "/nowhere", "no", "such", "folder"], list.stdout)
        XCTAssertTrue(list.stdout.contains("registry: \(home)/config/seek/models.json"), list.stdout)

        // SEEK_MODELS and --models point elsewhere.
        try registry.replacingOccurrences(of: "\"chat\"", with: "\"other\"").write(toFile: home + "/alt.json", atomically: true, encoding: .utf8)
        var alternative = environment
        alternative["SEEK_MODELS"] = home + "/alt.json"
        XCTAssertTrue(try SeekProcess.run(["models"], environment: alternative).stdout.contains("other"))
        XCTAssertTrue(try SeekProcess.run(["models", "--models", home + "/alt.json"], environment: environment).stdout.contains("other"))
    }

    func testQuantizedCopiesAndLoadTimeQuantization() throws {
        let folder = try TestPaths.temporaryFolder(for: self) + "/tiny-q8"
        let quantize = try seek(["quantize", "-m", fixture, "--to", "q8", "-o", folder])
        XCTAssertEqual(quantize.status, 0, quantize.stderr)
        XCTAssertTrue(quantize.stderr.contains("tensors quantized"), quantize.stderr)
        let run = try seek(["-m", folder, "--raw", "--temp", "0", "-n", "8", "--json", "-p", "Hello"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["tokens"] as? [Int])?.count, 8)
        let verbose = try seek(["-m", folder, "--quant", "q4", "--raw", "--temp", "0", "-n", "2", "--verbose", "-p", "Hello"])
        XCTAssertEqual(verbose.status, 0, verbose.stderr)
        XCTAssertTrue(verbose.stderr.contains("already quantized to q8; --quant q4 does not apply"), verbose.stderr)
        XCTAssertTrue(verbose.stderr.contains("q8 blocks written by seek quantize"), verbose.stderr)

        let q4 = try seek(["-m", fixture, "--quant", "q4", "--no-cache", "--raw", "--temp", "0", "-n", "8", "--verbose", "-p", "Hello"])
        XCTAssertEqual(q4.status, 0, q4.stderr)
        XCTAssertTrue(q4.stderr.contains("quantized in memory"), q4.stderr)
        XCTAssertFalse(q4.stderr.contains("note: stored"), q4.stderr)
        XCTAssertEqual(try seek(["-m", fixture, "--quant", "q5", "-p", "Hello"]).status, 64)
    }

    func testQuantizeOnceThenMapTheCachedCopy() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let environment = TestPaths.isolatedEnvironment(home: home)
        func run(_ arguments: [String]) throws -> SeekRun { try SeekProcess.run(arguments, environment: environment) }
        let arguments = ["-m", fixture, "--quant", "q4", "--raw", "--temp", "0", "-n", "8", "-p", "Hello"]
        let inMemory = try run(arguments + ["--no-cache"])
        let first = try run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.hasPrefix("note: stored the q4 weights ("), first.stderr)
        XCTAssertTrue(first.stderr.contains(" in \(home)/cache/seek/models/tiny-chat-q4-"), first.stderr)
        let second = try run(arguments + ["--verbose"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stderr.contains("note: stored"), second.stderr)
        XCTAssertTrue(second.stderr.contains("q4 blocks from the cache"), second.stderr)
        XCTAssertEqual(first.stdout, inMemory.stdout)
        XCTAssertEqual(second.stdout, inMemory.stdout)

        let list = try run(["cache", "list"])
        XCTAssertTrue(list.stdout.contains("tiny-chat-q4-"), list.stdout)
        XCTAssertTrue(list.stdout.contains(fixture), list.stdout)
        try "{\"models\": {\"tiny\": {\"path\": \"\(fixture)\"}}}".write(toFile: home + "/models.json", atomically: true, encoding: .utf8)
        let models = try run(["models", "--models", home + "/models.json"])
        XCTAssertTrue(models.stdout.contains("; cached q4 ("), models.stdout)
        XCTAssertEqual(try run(["cache", "rm", "nothere"]).status, 1)
        XCTAssertEqual(try run(["cache", "rm"]).status, 64)
        let removed = try run(["cache", "rm", "--all"])
        XCTAssertEqual(removed.stderr, "removed 1 cached model from \(home)/cache/seek/models\n")
        XCTAssertTrue(try run(["cache"]).stdout.hasPrefix("no cached models"))
    }

    func testWeightsLargerThanMemoryAreWarnedAboutAndAutoPicksWhatFits() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        func run(_ arguments: [String], memory: String) throws -> SeekRun {
            try SeekProcess.run(arguments, environment: TestPaths.isolatedEnvironment(home: home, extra: ["SEEK_MEMORY_AVAILABLE": memory]))
        }
        let tight = try run(["-m", fixture, "--temp", "0", "-n", "2", "-p", "Hi"], memory: "21M")
        XCTAssertEqual(tight.status, 0, tight.stderr)
        XCTAssertEqual(tight.stderr, "warning: the weights take 26.5 MB, more than the 22.0 MB of memory available for them: they will be read "
                       + "from disk for every token (very slow); --quant q8 (20.2 MB) would fit (--quant auto picks it)\n")
        XCTAssertEqual(try run(["-m", fixture, "--temp", "0", "-n", "2", "-p", "Hi"], memory: "1G").stderr, "")

        let auto = try run(["-m", fixture, "--quant", "auto", "--no-cache", "--temp", "0", "-n", "2", "--verbose", "-p", "Hi"], memory: "21M")
        XCTAssertTrue(auto.stderr.contains("quantized in memory to q8"), auto.stderr)
        XCTAssertFalse(auto.stderr.contains("warning"), auto.stderr)

        try "{\"models\": {\"tiny\": {\"path\": \"\(fixture)\", \"quant\": \"auto\"}}}".write(toFile: home + "/models.json", atomically: true, encoding: .utf8)
        let registry = try run(["--models", home + "/models.json", "-m", "tiny", "--no-cache", "--temp", "0", "-n", "2", "--verbose", "-p", "Hi"], memory: "19M")
        XCTAssertTrue(registry.stderr.contains("quantized in memory to q4"), registry.stderr)
        for (memory, fits) in [("1G", "yes"), ("21M", "q8"), ("19M", "q4"), ("1M", "no")] {
            let models = try run(["models", "--models", home + "/models.json"], memory: memory)
            let row = try XCTUnwrap(models.stdout.split(separator: "\n").first { $0.hasPrefix("tiny ") })
            XCTAssertEqual(row.split(separator: " ", omittingEmptySubsequences: true)[2], Substring(fits), "\(memory): \(row)")
        }
    }

    func testWithoutModelFlagSeekRunsTheDefaultModel() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let run = try seek(["--raw", "--temp", "0", "-n", "24", "-p", reference.prompt!], extraEnvironment: ["SEEK_DEFAULT_MODEL": fixture])
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n", run.stderr)
        let json = try seek(["--raw", "--temp", "0", "-n", "2", "--json", "-p", "x"], extraEnvironment: ["SEEK_DEFAULT_MODEL": fixture])
        XCTAssertTrue(json.stdout.hasPrefix("{\"model\":\"tiny-chat\""), json.stdout)
    }

    func testTokenize() throws {
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let ids = try seek(["tokenize", "-m", fixture, "--ids-only", reference.prompt!])
        XCTAssertEqual(ids.stdout, reference.promptIds.map(String.init).joined(separator: " ") + "\n", ids.stderr)
        let table = try seek(["tokenize", "-m", fixture, "Hello"])
        XCTAssertTrue(table.stdout.hasPrefix("ID"), table.stdout)
        XCTAssertTrue(table.stdout.contains("\"Hello\""), table.stdout)
    }

    func testHelpAndVersion() throws {
        let help = try seek(["--help"])
        XCTAssertEqual(help.status, 0)
        for text in ["Examples:", "-m, --model", "-p, --prompt", "-f, --file", "-n, --max-tokens", "--temp, --temperature",
                     "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--seed", "--system", "--raw", "--json",
                     "--ctx-size", "-t, --threads", "--verbose", "--stop", "chat", "tokenize", "models", "seek-mini"] {
            XCTAssertTrue(help.stdout.contains(text), "--help lacks \(text)")
        }
        let version = try seek(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.stdout.isEmpty)
    }
}
