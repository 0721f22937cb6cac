import SeekRemote
import XCTest

final class ServerSentEventParserTests: XCTestCase {
    private func parse(_ text: String) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return parser.feed(Array(text.utf8))
    }

    func testLineEndsCommentsAndFields() {
        let expected = [ServerSentEvent(data: "a"), ServerSentEvent(data: "b")]
        XCTAssertEqual(parse("data: a\n\ndata: b\n\n"), expected)
        XCTAssertEqual(parse("data: a\r\n\r\ndata: b\r\n\r\n"), expected)
        XCTAssertEqual(parse("data: a\r\rdata: b\r\r"), expected)
        XCTAssertEqual(parse(": keep-alive\n\n:\n\ndata: a\n\n"), [ServerSentEvent(data: "a")])
        XCTAssertEqual(parse("data:a\n\n"), [ServerSentEvent(data: "a")], "the space after the colon is optional")
        XCTAssertEqual(parse("data:  a\n\n"), [ServerSentEvent(data: " a")], "only one space is dropped")
        XCTAssertEqual(parse("data: one\ndata: two\n\n"), [ServerSentEvent(data: "one\ntwo")])
        XCTAssertEqual(parse("event: error\nid: 7\nretry: 10\ndata: x\n\n"), [ServerSentEvent(type: "error", data: "x")])
        XCTAssertEqual(parse("data\n\n"), [ServerSentEvent(data: "")], "a bare data line is an empty data line")
        XCTAssertEqual(parse("event: ping\n\n"), [], "no data, no event")
        XCTAssertEqual(parse("data: é😀\n\n"), [ServerSentEvent(data: "é😀")])
    }

    func testSplitAnywhereGivesTheSameEvents() {
        let text = "data: a\r\n\r\n: c\r\ndata: {\"x\":\r\ndata: 1}\r\n\r\ndata: 😀\n\n"
        let bytes = Array(text.utf8)
        let whole = parse(text)
        XCTAssertEqual(whole.count, 3)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            XCTAssertEqual(events, whole, "split at \(cut)")
        }
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += parser.feed([byte]) }
        XCTAssertEqual(events, whole, "one byte at a time")
        XCTAssertFalse(parser.hasPendingEvent)
    }

    func testPendingEventAtTheEnd() {
        var parser = ServerSentEventParser()
        XCTAssertEqual(parser.feed(Array("data: {\"a\"".utf8)), [])
        XCTAssertTrue(parser.hasPendingEvent)
    }
}
