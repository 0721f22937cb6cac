import XCTest
@testable import SeekEngine

final class StopSequencesTests: XCTestCase {
    private func stream(_ pieces: [String], stops: [String]) -> (text: String, stopped: Bool) {
        var matcher = StopSequences(stops)
        var text = ""
        for piece in pieces {
            text += matcher.append(piece)
            if matcher.isStopped { return (text, true) }
        }
        return (text + matcher.finish(), false)
    }

    func testStopsBeforeAStopStringSplitAcrossPieces() {
        let result = stream(["Hello", " Us", "er:", " more"], stops: ["User:"])
        XCTAssertEqual(result.text, "Hello ")
        XCTAssertTrue(result.stopped)
    }

    func testHoldsBackOnlyWhatCouldStartAStop() {
        var matcher = StopSequences(["</s>"])
        XCTAssertEqual(matcher.append("abc<"), "abc")
        XCTAssertEqual(matcher.append("b"), "<b")
        XCTAssertEqual(matcher.append("</"), "")
        XCTAssertEqual(matcher.finish(), "</")
    }

    func testEarliestStopWins() {
        let result = stream(["xx END yy STOP"], stops: ["STOP", "END"])
        XCTAssertEqual(result.text, "xx ")
    }

    func testNoStopsPassesEverythingThrough() {
        XCTAssertEqual(stream(["a", "b", "深度"], stops: []).text, "ab深度")
        XCTAssertEqual(stream(["a", "b"], stops: [""]).text, "ab")
    }

    func testMultibyteStops() {
        let result = stream(["你好", "，世", "界！"], stops: ["世界"])
        XCTAssertEqual(result.text, "你好，")
        XCTAssertTrue(result.stopped)
    }
}
