/// Every failure the engine reports to a user: one line that names the file (or field) and the problem.
public struct SeekError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
