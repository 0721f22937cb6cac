import XCTest
@testable import seek

/// The command line's pure parts: input assembly, slash commands, history file.
final class ChatInputTests: XCTestCase {
    func testBackslashContinuesAndTripleQuotesMakeABlock() {
        var input = MultilineInput()
        XCTAssertNil(input.feed("first \\"))
        XCTAssertTrue(input.isContinuing)
        XCTAssertEqual(input.feed("second"), "first \nsecond")
        XCTAssertFalse(input.isContinuing)
        XCTAssertNil(input.feed("\"\"\"start"))
        XCTAssertNil(input.feed(""))
        XCTAssertNil(input.feed("middle \\"))
        XCTAssertEqual(input.feed("end\"\"\""), "start\n\nmiddle \\\nend")
        XCTAssertEqual(input.feed("\"\"\"one line\"\"\""), "one line")
        XCTAssertNil(input.feed("\"\"\""))
        input.reset()
        XCTAssertEqual(input.feed("plain"), "plain")
    }

    func testSlashCommands() {
        XCTAssertNil(SlashCommand.parse("hello /set"))
        XCTAssertEqual(SlashCommand.parse("/help"), .help)
        XCTAssertEqual(SlashCommand.parse("/bye"), .bye)
        XCTAssertEqual(SlashCommand.parse("  /exit "), .bye)
        XCTAssertEqual(SlashCommand.parse("/clear"), .clear)
        XCTAssertEqual(SlashCommand.parse("/system Be terse. Very."), .system("Be terse. Very."))
        XCTAssertEqual(SlashCommand.parse("/system"), .system(nil))
        XCTAssertEqual(SlashCommand.parse("/set temperature 0.5"), .set(name: "temperature", value: "0.5"))
        XCTAssertEqual(SlashCommand.parse("/set"), .showSettings)
        if case .usage = SlashCommand.parse("/set top_k") {} else { XCTFail("/set NAME without a value") }
        XCTAssertEqual(SlashCommand.parse("/save /tmp/c.json"), .save(path: "/tmp/c.json"))
        if case .usage = SlashCommand.parse("/load") {} else { XCTFail("/load without a file") }
        XCTAssertEqual(SlashCommand.parse("/stats"), .stats)
        XCTAssertEqual(SlashCommand.parse("/show"), .show)
        XCTAssertEqual(SlashCommand.parse("/frobnicate now"), .unknown("/frobnicate"))
    }

}

final class HistoryFileTests: XCTestCase {
    func testLocation() {
        XCTAssertEqual(HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]), "/s/seek/history")
        XCTAssertEqual(HistoryFile.defaultPath(environment: ["HOME": "/h"]), "/h/.local/state/seek/history")
    }

    func testAppendsEscapesAndTrims() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        var history = HistoryFile(path: folder + "/state/seek/history")
        history.limit = 8
        try history.append("one")
        try history.append("two\nlines with \\ backslash")
        XCTAssertEqual(history.load(), ["one", "two\nlines with \\ backslash"])
        for i in 0..<20 { try history.append("entry \(i)") }
        let entries = history.load()
        XCTAssertLessThanOrEqual(entries.count, 10)
        XCTAssertEqual(entries.last, "entry 19")
        let attributes = try FileManager.default.attributesOfItem(atPath: history.path)
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/state/seek").filter { $0.contains(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testConcurrentWritersLoseNothing() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        let history = HistoryFile(path: folder + "/history")
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for i in 0..<50 { try? history.append("w\(writer) \(i)") }
        }
        XCTAssertEqual(Set(history.load()).count, 200)
    }
}

