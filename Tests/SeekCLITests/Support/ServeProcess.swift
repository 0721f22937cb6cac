import Foundation
import XCTest

/// A `seek serve` subprocess on 127.0.0.1 at a free port (port 0), for the remote tests. `stop()`
/// sends SIGTERM (a graceful shutdown) and waits for it; every test that starts one stops it.
final class ServeProcess {
    let process = Process()
    /// "http://127.0.0.1:PORT", read from the line the server prints once it listens.
    private(set) var url = ""
    private let errors = Pipe()
    private var stderrText = ""

    init(arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: TestPaths.seekBinary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        let handle = errors.fileHandleForReading
        while Date() < deadline {
            let data = handle.availableData  // blocks until the server writes or exits
            if data.isEmpty { break }
            stderrText += String(decoding: data, as: UTF8.self)
            if let range = stderrText.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                url = String(stderrText[range].dropFirst("listening on ".count))
                return
            }
        }
        process.terminate()
        process.waitUntilExit()
        throw ServeProcessError(stderr: stderrText)
    }

    /// SIGTERM, then waits; returns the exit status (0 after a graceful shutdown) and what it printed.
    @discardableResult
    func stop() -> (status: Int32, stderr: String) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        stderrText += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stderrText)
    }

    deinit {
        if process.isRunning {
            process.interrupt()
            process.waitUntilExit()
        }
    }
}

struct ServeProcessError: Error, CustomStringConvertible {
    let stderr: String
    var description: String { "seek serve did not start listening; it printed:\n\(stderr)" }
}
