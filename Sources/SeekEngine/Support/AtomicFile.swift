import Foundation

/// Replaces a file the user owns all at once (a saved conversation, the chat history, quantize's
/// output): the new content goes to a temporary file beside the target, is flushed to disk with
/// fsync, then renamed over the target. A full disk or a crash leaves the old file whole, never a
/// truncated one.
public enum AtomicFile {
    /// Writes `data` to `path` atomically (the target's folder must exist). Throws `AtomicFileError`
    /// with strerror's reason.
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o644) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + name + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw AtomicFileError(file: path, reason: String(cString: strerror(errno))) }
        let temporary = AtomicFile.string(template)
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            fchmod(fd, permissions)
            try writeAll(data, to: fd, file: path)
            guard fsync(fd) == 0 else { throw AtomicFileError(file: path, reason: String(cString: strerror(errno))) }
        }
        guard rename(temporary, path) == 0 else { throw AtomicFileError(file: path, reason: String(cString: strerror(errno))) }
        done = true
        syncFolder(folder.isEmpty ? "." : folder)
    }

    /// Writes every byte of `data` to `fd` (retrying short writes and EINTR).
    public static func writeAll(_ data: Data, to fd: Int32, file: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(file: file, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }

    /// The text of a NUL-terminated buffer filled by mkstemp/mkdtemp.
    public static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Makes a rename in `folder` durable (best effort: not every file system allows it).
    public static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A file that could not be written or replaced; `reason` is strerror's text ("No space left on device").
public struct AtomicFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): cannot write (\(reason))" }
}
