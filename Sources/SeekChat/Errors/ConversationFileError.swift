/// A conversation file (`/save`, `/load`) that cannot be read or written.
public struct ConversationFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        /// No such file.
        case unreadable
        case cannotRead(reason: String)
        case cannotWrite(reason: String)
        case notAConversation
        case unknownRole(String)
    }

    public let file: String
    public let problem: Problem

    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .unreadable: return "\(file): no such file"
        case .cannotRead(let reason): return "\(file): \(reason)"
        case .cannotWrite(let reason): return "\(file): cannot write (\(reason))"
        case .notAConversation:
            return "\(file): not a conversation (expected {\"messages\": [{\"role\": …, \"content\": …}]})"
        case .unknownRole(let role): return "\(file): unknown role \"\(role)\" (expected system, user or assistant)"
        }
    }
}
