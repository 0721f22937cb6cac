import Foundation
import XCTest

/// Runs `seek` on a pseudo-terminal, as a user's shell would: in its own session with the terminal as
/// its controlling terminal, so a typed Ctrl-C (0x03) becomes SIGINT and Ctrl-D (0x04) is end of input.
final class PseudoTerminal {
    private let master: Int32
    private let pid: pid_t
    /// Everything the program wrote so far (terminal echo of typed keys included), as bytes: a read may
    /// end inside a multi-byte character.
    private var output: [UInt8] = []
    /// The byte offset where `expect` continues searching.
    private var cursor = 0

    var transcript: String { String(decoding: output, as: UTF8.self) }

    /// `stdoutFile`: stdout goes to this file instead of the terminal (as with `seek > file`).
    init(arguments: [String], environment: [String: String], stdoutFile: String? = nil) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: 40, ws_col: 200, ws_xpixel: 0, ws_ypixel: 0)
        var name = [CChar](repeating: 0, count: 256)
        guard openpty(&master, &slave, &name, nil, &size) == 0 else { throw PseudoTerminalError("openpty failed") }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        close(slave)  // the child opens it by name, which makes it the child's controlling terminal

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let newSession: Int32 = 0x80  // POSIX_SPAWN_SETSID (glibc 2.26+; not imported into Swift)
        posix_spawnattr_setflags(&attributes, Int16(newSession | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        if let stdoutFile {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
        }
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        let argv = ([TestPaths.seekBinary] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, TestPaths.seekBinary, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(master)
            throw PseudoTerminalError("posix_spawn failed: \(String(cString: strerror(status)))")
        }
        self.master = master
        pid = child
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
    }

    /// Sends keys as typed ("\r" is Enter, "\u{03}" Ctrl-C, "\u{04}" Ctrl-D).
    func type(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until `text` appears after what earlier expectations matched; returns the output up to and
    /// including it. Fails the test on a timeout.
    @discardableResult
    func expect(_ text: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        let needle = Array(text.utf8)
        while true {
            if let end = PseudoTerminal.find(needle, in: output, from: cursor) {
                let seen = String(decoding: output[cursor..<end], as: UTF8.self)
                cursor = end
                return seen
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 || !readMore(timeout: left) {
                let shown = String(decoding: output[cursor...], as: UTF8.self)
                XCTFail("did not see \(String(reflecting: text)); the terminal showed:\n\(String(reflecting: shown))", file: file, line: line)
                return ""
            }
        }
    }

    /// Waits until the program writes something beyond what `expect` matched so far.
    func expectMoreOutput(timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(timeout)
        while output.count == cursor {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 || !readMore(timeout: left) {
                XCTFail("the program wrote nothing more", file: file, line: line)
                return
            }
        }
    }

    /// Waits for the program to exit (reading its last output); returns its exit status, or nil on a timeout.
    func waitForExit(timeout: TimeInterval = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                while readMore(timeout: 0.05) {}
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            _ = readMore(timeout: 0.05)
        }
        return nil
    }

    /// Reads what is available within `timeout`; false when nothing came (or the terminal closed).
    private func readMore(timeout: TimeInterval) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(max(1, timeout * 1000))) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        guard count > 0 else { return false }
        output += buffer[..<count]
        return true
    }

    /// The end offset of the first occurrence of `needle` in `haystack` at or after `start`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count - start >= needle.count else { return needle.isEmpty ? start : nil }
        for i in start...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i + needle.count }
        }
        return nil
    }
}

struct PseudoTerminalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
