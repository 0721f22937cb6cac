/// A file seek was pointed at that cannot be read safely: missing, not a regular file (a FIFO would
/// block, a device never ends), unreadable, larger than anything sensible of its kind, or named by an
/// index but outside the model folder.
public struct FileReadError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case noSuchFile
        /// `kind`: "a directory", "a FIFO", "a character device", …
        case notARegularFile(kind: String)
        /// open(2) failed; `reason` is strerror's text ("Permission denied").
        case cannotOpen(reason: String)
        case cannotRead(reason: String)
        case tooLarge(limit: Int)
        /// A name taken from a file (an index's shard) that leads out of the model folder.
        case outsideFolder(name: String)
    }

    public let file: String
    public let problem: Problem

    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

extension FileReadError.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noSuchFile: return "cannot open (No such file or directory)"
        case .notARegularFile(let kind): return "is \(kind), not a regular file"
        case .cannotOpen(let reason): return "cannot open (\(reason))"
        case .cannotRead(let reason): return "cannot read (\(reason))"
        case .tooLarge(let limit): return "is larger than \(limit) bytes, far more than such a file holds"
        case .outsideFolder(let name): return "names '\(name)', which is outside the model folder"
        }
    }
}
