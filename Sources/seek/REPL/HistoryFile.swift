import Foundation
import SeekEngine

/// The chat's persistent input history: one entry per line in $XDG_STATE_HOME/seek/history
/// (~/.local/state/seek/history when unset), newlines, carriage returns and backslashes escaped, so
/// that every entry comes back with its exact text.
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

    /// Bytes read from the end of the file: far more than `limit` entries of normal length, and a
    /// 100 MB file (grown by hand, or by another program) costs no more than this.
    var tailBytes = 4 << 20

    /// The stored entries, oldest first. A missing or unreadable file (or not a regular file) is an
    /// empty history. Only the file's last `tailBytes` are read.
    func load() -> [String] {
        guard let (descriptor, size) = try? RegularFile.open(path) else { return [] }
        defer { close(descriptor) }
        let start = max(0, size - tailBytes)
        guard lseek(descriptor, off_t(start), SEEK_SET) == off_t(start),
              var data = try? RegularFile.readAll(descriptor, limit: tailBytes, file: path) else { return [] }
        if start > 0, let newline = data.firstIndex(of: 0x0A) {
            data = data[(newline + 1)...]  // the first line read is only the end of an entry
        }
        // Split the bytes, not Characters: "\r\n" is one Character and would join two lines.
        return data.split(separator: 0x0A).map { HistoryFile.unescape(Substring(String(decoding: $0, as: UTF8.self))) }
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
        let text = kept.map { HistoryFile.escape($0) + "\n" }.joined()
        do { try AtomicFile.write(Data(text.utf8), to: path, permissions: 0o600) } catch let error as AtomicFileError {
            throw HistoryFileError(file: path, problem: "cannot replace history (\(error.reason))")
        }
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            // Say why in words (a file where the folder should be, no permission), not an NSError dump.
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory)
            throw HistoryFileError(file: folder, problem: exists && !isDirectory.boolValue
                                   ? "is not a folder; the history is not kept" : "cannot create the history folder")
        }
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw HistoryFileError(file: path + ".lock", problem: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(lock) }  // closing releases the lock, also when the process dies
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw HistoryFileError(file: path + ".lock", problem: "cannot lock") }
        }
        return try body()
    }

    static func escape(_ entry: String) -> String {
        // By scalars: "\r\n" is one Character, which replacing "\n" alone would not find.
        var result = ""
        for scalar in entry.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func unescape(_ line: Substring) -> String {
        var result = String.UnicodeScalarView()
        var escaping = false
        for scalar in line.unicodeScalars {
            if escaping {
                result.append(scalar == "n" ? "\n" : scalar == "r" ? "\r" : scalar)
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else if scalar != "\r" {  // a bare CR is not part of any entry written escaped
                result.append(scalar)
            }
        }
        return String(result)
    }
}


/// The history file could not be written (the chat goes on; the entry is not kept).
struct HistoryFileError: Error, CustomStringConvertible {
    let file: String
    let problem: String
    var description: String { "\(file): \(problem)" }
}
