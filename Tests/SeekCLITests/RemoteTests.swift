import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `seek --remote` against `seek serve` on 127.0.0.1: the same greedy token ids and text as local seek
/// on tiny-chat (real DeepSeek tokenizer and chat template), for -p, pipes, --json, --raw and a
/// two-turn chat in a pseudo-terminal; failures as one `error:` line with exit status 1.
final class RemoteTests: XCTestCase {
    private var fixture: String { TestPaths.fixture("tiny-chat") }

    /// One server for a test, stopped (gracefully, exit status 0) by the test's teardown.
    private func startServer(_ extra: [String] = [], environment: [String: String] = [:]) throws -> ServeProcess {
        let home = try TestPaths.temporaryFolder(for: self)
        let server = try ServeProcess(arguments: ["-m", fixture, "--parallel", "2"] + extra,
                                      environment: TestPaths.isolatedEnvironment(home: home, extra: environment))
        addTeardownBlock {
            let (status, stderr) = server.stop()
            XCTAssertEqual(status, 0, "seek serve did not stop cleanly:\n\(stderr)")
        }
        return server
    }

    private func seek(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) throws -> SeekRun {
        let home = try TestPaths.temporaryFolder(for: self)
        return try SeekProcess.run(arguments, stdin: Data(stdin.utf8),
                                   environment: TestPaths.isolatedEnvironment(home: home, extra: environment))
    }

    private func json(_ run: SeekRun, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                             "not JSON: \(run.stdout)", file: file, line: line)
    }

    func testGreedyIdsAndTextEqualLocalSeek() throws {
        let server = try startServer()
        let cases = try TextCase.load(fixture: fixture)
        XCTAssertFalse(cases.isEmpty)
        for reference in cases where reference.messages.count <= 2 {
            var arguments = ["--temp", "0", "-n", "24", "--json"]
            if reference.mode == "raw" {
                arguments += ["--raw", "-p", reference.prompt!]
            } else {
                arguments += ["-p", reference.messages.last!["content"]!]
                if let system = reference.system { arguments += ["--system", system] }
            }
            let local = try json(seek(["-m", fixture] + arguments))
            let remote = try json(seek(["--remote", server.url] + arguments))
            XCTAssertEqual(remote["prompt_tokens"] as? [Int], local["prompt_tokens"] as? [Int], "\(reference.mode) \(reference.messages)")
            XCTAssertEqual(remote["tokens"] as? [Int], local["tokens"] as? [Int], "\(reference.mode) \(reference.messages)")
            XCTAssertEqual(remote["tokens"] as? [Int], reference.idsUntilEOS.count <= 24 ? reference.idsUntilEOS : Array(reference.greedyIds.prefix(24)))
            XCTAssertEqual(remote["text"] as? String, local["text"] as? String)
            XCTAssertEqual(remote["finish_reason"] as? String, local["finish_reason"] as? String)
            XCTAssertEqual(remote["model"] as? String, "tiny-chat")
            let usage = try XCTUnwrap(remote["usage"] as? [String: Any])
            XCTAssertEqual(usage["prompt_tokens"] as? Int, (local["prompt_tokens"] as? [Int])?.count)
            XCTAssertEqual(usage["completion_tokens"] as? Int, (local["tokens"] as? [Int])?.count)
            let timings = try XCTUnwrap(remote["timings"] as? [String: Any])
            XCTAssertNotNil(timings["decode_tps"] as? Double)
        }
    }

    func testPipesPromptsFromFilesAndStopStringsMatchLocalSeek() throws {
        let server = try startServer()
        let chat = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "chat" && $0.system != nil })
        let message = chat.messages.last!["content"]! + "\n"
        let flags = ["--temp", "0", "-n", "24", "--system", chat.system!]
        let local = try seek(["-m", fixture] + flags, stdin: message)
        let remote = try seek(["--remote", server.url] + flags, stdin: message)
        XCTAssertEqual(remote.status, 0, remote.stderr)
        XCTAssertEqual(remote.stdout, local.stdout)
        XCTAssertEqual(remote.stdout, chat.textUntilEOS + "\n")
        XCTAssertEqual(remote.stderr, "")

        let raw = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let folder = try TestPaths.temporaryFolder(for: self)
        try raw.prompt!.write(toFile: folder + "/prompt.txt", atomically: true, encoding: .utf8)
        let fromFile = try seek(["--remote", server.url, "--raw", "--temp", "0", "-n", "24", "-f", folder + "/prompt.txt"])
        XCTAssertEqual(fromFile.stdout, raw.textUntilEOS + "\n")

        // A stop string cuts the reply the same way on both sides.
        let stop = String(raw.textUntilEOS.dropFirst(6).prefix(3))
        let stopFlags = ["--raw", "--temp", "0", "-n", "24", "--stop", stop, "-p", raw.prompt!]
        let localStopped = try seek(["-m", fixture] + stopFlags)
        let remoteStopped = try seek(["--remote", server.url] + stopFlags)
        XCTAssertEqual(remoteStopped.stdout, localStopped.stdout)
        XCTAssertLessThan(remoteStopped.stdout.count, raw.textUntilEOS.count)
    }

    func testTwoTurnChatInATerminalMatchesTheLocalChat() throws {
        let server = try startServer()
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "chat" && $0.system != nil })
        let first = reference.messages.last!["content"]!
        func transcript(_ target: [String]) throws -> [String] {
            let home = try TestPaths.temporaryFolder(for: self)
            let terminal = try PseudoTerminal(arguments: target + ["--temp", "0", "-n", "12", "--system", reference.system!],
                                              environment: TestPaths.isolatedEnvironment(home: home))
            terminal.expect("/help for commands")
            terminal.expect(">>> ")
            terminal.type(first + "\r")
            let one = terminal.expect(">>> ")
            terminal.type("And then?\r")
            let two = terminal.expect(">>> ")
            terminal.type("/stats\r")
            let stats = terminal.expect(">>> ")
            terminal.type("/bye\r")
            XCTAssertEqual(terminal.waitForExit(), 0)
            return [one, two, stats]
        }
        let local = try transcript(["-m", fixture])
        let remote = try transcript(["--remote", server.url])
        XCTAssertEqual(remote[0], local[0])
        // The second turn: the local chat continues from the ids it generated; the server, sent the whole
        // conversation again, reuses the ids it generated for the first reply rather than re-tokenizing
        // its text (which differs in a few tokens on tiny-chat), so the greedy replies are the same.
        XCTAssertEqual(remote[1], local[1])
        let secondReply = remote[1].replacingOccurrences(of: "And then?", with: "")
            .replacingOccurrences(of: ">>> ", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(secondReply.isEmpty, remote[1])
        XCTAssertTrue(remote[0].contains(String(reference.textUntilEOS.prefix(8))), remote[0])
        // The second turn resent the whole conversation; the server's slot had the first turn cached.
        XCTAssertTrue(remote[2].contains("reused from the server's cache"), remote[2])
        XCTAssertFalse(remote[2].contains("(0 reused"), remote[2] + "\n" + remote[1])
    }

    func testCtrlCStopsAStreamingReplyAndFreesTheServersSlot() throws {
        let server = try startServer(["--parallel", "1"])
        let home = try TestPaths.temporaryFolder(for: self)
        let terminal = try PseudoTerminal(arguments: ["--remote", server.url, "--temp", "0"],
                                          environment: TestPaths.isolatedEnvironment(home: home))
        terminal.expect("/help for commands")
        terminal.expect(">>> ")
        terminal.type("Tell me everything\r")
        terminal.expect("Tell me everything\r\n")
        terminal.expectMoreOutput()  // the reply has started streaming
        terminal.type("\u{03}")
        terminal.expect(">>> ")
        terminal.type("/stats\r")
        terminal.expect("stopped by Ctrl-C")
        terminal.expect(">>> ")
        // The request was closed, so the server frees the slot (its reply would run to 512 tokens).
        let health = URL(string: server.url + "/health")!
        var busy = -1
        for _ in 0..<100 {
            let object = try JSONSerialization.jsonObject(with: try Self.get(health)) as? [String: Any]
            busy = object?["slots_busy"] as? Int ?? -1
            if busy == 0 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(busy, 0)
        terminal.type("/show\r")
        terminal.expect("messages  2")  // the stopped reply keeps what was shown, as in the local chat
        terminal.type("/bye\r")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    /// A plain GET (URLSession; Data(contentsOf:) reads only files on Linux).
    private static func get(_ url: URL) throws -> Data {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Data, any Error> = .failure(URLError(.unknown))
        URLSession.shared.dataTask(with: url) { data, _, error in
            result = data.map { .success($0) } ?? .failure(error ?? URLError(.badServerResponse))
            done.signal()
        }.resume()
        done.wait()
        return try result.get()
    }

    func testModelsListsTheServersModelAndRegistryEntriesReachServers() throws {
        let server = try startServer(["--api-key", "sesame"])
        let listed = try seek(["models", "--remote", server.url, "--api-key", "sesame"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("tiny-chat"), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("512"), listed.stdout)

        // A registry entry naming the server and the variable with its key: `seek -m cluster` just works.
        let home = try TestPaths.temporaryFolder(for: self)
        try #"{"models": {"cluster": {"remote": "\#(server.url)/v1", "api_key_env": "CLUSTER_KEY", "model": "tiny-chat"}}}"#
            .write(toFile: home + "/models.json", atomically: true, encoding: .utf8)
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.mode == "raw" })
        let run = try seek(["--models", home + "/models.json", "-m", "cluster", "--raw", "--temp", "0", "-n", "24", "-p", reference.prompt!],
                           environment: ["CLUSTER_KEY": "sesame"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, reference.textUntilEOS + "\n")
        let registryListing = try seek(["models", "--models", home + "/models.json"])
        XCTAssertTrue(registryListing.stdout.contains("cluster"), registryListing.stdout)
        XCTAssertTrue(registryListing.stdout.contains("remote"), registryListing.stdout)
        let wrongKey = try seek(["--models", home + "/models.json", "-m", "cluster", "-p", "hi"], environment: ["CLUSTER_KEY": "wrong"])
        XCTAssertEqual(wrongKey.status, 1)
        XCTAssertTrue(wrongKey.stderr.hasPrefix("error: the server refused the API key (401)"), wrongKey.stderr)
        XCTAssertEqual(wrongKey.stderr.split(separator: "\n").count, 1, wrongKey.stderr)
    }

    func testFailuresAreOneErrorLineAndStatusOne() throws {
        let server = try startServer()
        // 404: a model the server does not have.
        let unknown = try seek(["--remote", server.url, "-m", "nothere", "-p", "hi"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.hasPrefix("error: not found (404)"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("nothere"), unknown.stderr)
        // 400: a setting out of the server's range (the local check allows any temperature ≥ 0).
        let rejected = try seek(["--remote", server.url, "--temp", "5", "-p", "hi"])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.hasPrefix("error: request rejected (400): temperature"), rejected.stderr)
        // Options that only change a local load.
        let local = try seek(["--remote", server.url, "--quant", "q8", "-p", "hi"])
        XCTAssertEqual(local.status, 1)
        XCTAssertEqual(local.stderr, "error: --quant: does not apply to a remote model (the server loads it)\n")
        let copy = try seek(["--remote", server.url, "--no-mmap", "-p", "hi"])
        XCTAssertEqual(copy.status, 1)
        XCTAssertEqual(copy.stderr, "error: --no-mmap: does not apply to a remote model (the server loads it)\n")
        let cache = try seek(["--remote", server.url, "--cache-type", "bf16", "-p", "hi"])
        XCTAssertEqual(cache.status, 1)
        XCTAssertEqual(cache.stderr, "error: --cache-type: does not apply to a remote model (the server loads it)\n")
        let keyAlone = try seek(["-m", fixture, "--api-key", "x", "-p", "hi"])
        XCTAssertEqual(keyAlone.status, 1)
        XCTAssertTrue(keyAlone.stderr.hasPrefix("error: --api-key"), keyAlone.stderr)

        // Connection refused: the stopped server's port.
        let url = server.url
        XCTAssertEqual(server.stop().status, 0)
        let refused = try seek(["--remote", url, "-p", "hi"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("connection refused"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        let badURL = try seek(["--remote", "ftp://example", "-p", "hi"])
        XCTAssertEqual(badURL.status, 1)
        XCTAssertEqual(badURL.stderr, "error: ftp://example: not an http(s) URL\n")
    }

    func testServeRefusesBadOptionsAndStopsOnSignals() throws {
        let bad = try seek(["serve", "-m", fixture, "--parallel", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.hasPrefix("error: --parallel must be at least 1"), bad.stderr)
        let missing = try seek(["serve", "-m", "/nonexistent/model"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("error: "), missing.stderr)

        // SIGINT, like SIGTERM, stops the server gracefully: exit status 0.
        let home = try TestPaths.temporaryFolder(for: self)
        let server = try ServeProcess(arguments: ["-m", fixture], environment: TestPaths.isolatedEnvironment(home: home))
        server.process.interrupt()
        let (status, stderr) = server.stop()
        XCTAssertEqual(status, 0, stderr)
        XCTAssertTrue(stderr.contains("stopped"), stderr)
    }
}
