import Foundation

/// The chat's persistent input history: one entry per line in $XDG_STATE_HOME/seek/history
/// (~/.local/state/seek/history when unset), newlines and backslashes escaped.
///
/// Safe with several sessions and crashes: each entry is appended with one O_APPEND write under an
/// exclusive lock on a side file; trimming to `limit` entries writes a temporary file and renames it
/// over the old one under the same lock, so the file is always either the old or the new version.
struct HistoryFile {
    let path: String
    var limit = 1000

    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/seek/history" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/seek/history"
    }

    /// The stored entries, oldest first. A missing or unreadable file is an empty history.
    func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { HistoryFile.unescape($0) }
    }

    /// Appends an entry, then trims the file when it has grown well past the limit.
    func append(_ entry: String) throws {
        try withLock {
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw HistoryFileError(file: path, problem: "cannot open history (\(String(cString: strerror(errno))))") }
            defer { close(descriptor) }
            let line = Array((HistoryFile.escape(entry) + "\n").utf8)
            let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == line.count else { throw HistoryFileError(file: path, problem: "cannot write history") }
            if load().count > limit + limit / 4 { try trimLocked() }
        }
    }

    private func trimLocked() throws {
        let kept = load().suffix(limit)
        let temporary = path + ".tmp.\(getpid())"
        let text = kept.map { HistoryFile.escape($0) + "\n" }.joined()
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw HistoryFileError(file: temporary, problem: "cannot write history")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw HistoryFileError(file: path, problem: "cannot replace history (\(String(cString: strerror(errno))))")
        }
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw HistoryFileError(file: path + ".lock", problem: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(lock) }  // closing releases the lock, also when the process dies
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw HistoryFileError(file: path + ".lock", problem: "cannot lock") }
        }
        return try body()
    }

    static func escape(_ entry: String) -> String {
        entry.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func unescape(_ line: Substring) -> String {
        var result = ""
        var escaping = false
        for character in line {
            if escaping {
                result.append(character == "n" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}


/// The history file could not be written (the chat goes on; the entry is not kept).
struct HistoryFileError: Error, CustomStringConvertible {
    let file: String
    let problem: String
    var description: String { "\(file): \(problem)" }
}
