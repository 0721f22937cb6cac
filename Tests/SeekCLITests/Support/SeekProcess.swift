import Foundation
import XCTest

/// Runs the built `seek` binary with pipes for stdin, stdout and stderr.
struct SeekRun {
    var stdout: String
    var stderr: String
    var status: Int32
}

enum SeekProcess {
    static func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String],
                    executable: String = TestPaths.seekBinary) throws -> SeekRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both streams while the process runs, so neither pipe fills up and blocks it.
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data(), err = Data()
        DispatchQueue.global().async(group: group) { out = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = errors.fileHandleForReading.readDataToEndOfFile() }
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return SeekRun(stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                       status: process.terminationStatus)
    }
}
