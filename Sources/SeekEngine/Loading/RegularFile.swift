import Foundation

/// The one way seek opens the files of a model folder and the other files it is pointed at (registry,
/// conversation files): only if, after following symlinks (the Hugging Face cache is made of them), the
/// target is a regular file. A FIFO is refused before open(2) could block on it, a device or directory
/// before anything is read, and a read is bounded, so no input can hang seek or fill its memory.
public enum RegularFile {
    /// What stat says a non-regular file is, for messages ("a FIFO").
    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// Throws unless `path` leads to a regular file (symlinks followed). Returns its size.
    @discardableResult
    public static func check(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw FileReadError(file: path, problem: .noSuchFile) }
            throw FileReadError(file: path, problem: .cannotOpen(reason: String(cString: strerror(code))))
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw FileReadError(file: path, problem: .notARegularFile(kind: kind(of: st.st_mode)))
        }
        return Int(st.st_size)
    }

    /// Whether `path` leads to a regular file.
    public static func exists(_ path: String) -> Bool { (try? check(path)) != nil }

    /// Opens `path` read-only after `check`; the descriptor is checked again (the file could have been
    /// replaced in between) and is the caller's to close. Returns it with the file's size.
    public static func open(_ path: String) throws -> (descriptor: Int32, size: Int) {
        try check(path)
        // O_NONBLOCK: should a FIFO have taken the file's place since the check, open must not wait.
        let fd = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw FileReadError(file: path, problem: .cannotOpen(reason: String(cString: strerror(errno))))
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileReadError(file: path, problem: .notARegularFile(kind: kind(of: st.st_mode)))
        }
        return (fd, Int(st.st_size))
    }

    /// The whole file, which must be at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws -> Data {
        let (fd, size) = try open(path)
        defer { close(fd) }
        guard size <= limit else { throw FileReadError(file: path, problem: .tooLarge(limit: limit)) }
        return try readAll(fd, limit: limit, file: path)
    }

    /// Reads `fd` to its end (a pipe, a terminal or a file), at most `limit` bytes: more is an error,
    /// found as soon as the limit is passed, not after reading everything.
    public static func readAll(_ fd: Int32, limit: Int, file: String) throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(file: file, problem: .cannotRead(reason: String(cString: strerror(errno))))
            }
            if count == 0 { return data }
            data.append(contentsOf: chunk[0..<count])
            if data.count > limit { throw FileReadError(file: file, problem: .tooLarge(limit: limit)) }
        }
    }

    /// Largest config-like JSON file (config.json, generation_config.json, tokenizer_config.json,
    /// registry): real ones are a few KB.
    public static let smallFileLimit = 16 << 20
    /// Largest index.json (DeepSeek-V3's lists ~90,000 tensors in ~9 MB).
    public static let indexFileLimit = 256 << 20
}
