import Foundation
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// Clients that connect and then hold back: the server's limits close them.
final class SlowClientTests: XCTestCase {
    func testIdleAndHalfSentHeadersAreClosed() async throws {
        let server = try await TestServer.start { $0.idleTimeoutSeconds = 1 }
        do {
            let idle = try RawConnection(port: server.port)
            let partial = try RawConnection(port: server.port)
            partial.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  // the headers never end
            let idleResult = idle.readUntilClosed(within: 4)
            XCTAssertTrue(idleResult.closed, "a connection that sends nothing is closed")
            XCTAssertTrue(partial.readUntilClosed(within: 4).closed, "a connection that never finishes its headers is closed")
            let health = try await server.get("/health")
            XCTAssertEqual(health.status, 200)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testABodyThatNeverArrivesIs408() async throws {
        let server = try await TestServer.start { $0.bodyTimeoutSeconds = 1; $0.idleTimeoutSeconds = 30 }
        do {
            let connection = try RawConnection(port: server.port)
            connection.send("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100\r\n\r\n{\"prompt\": ")
            let (text, _) = connection.readUntilClosed(within: 5)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 408"), text)
            XCTAssertTrue(text.contains("request_timeout"), text)
            XCTAssertEqual(server.server.scheduler.occupancy.busy, 0)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }
}
