import Foundation

/// A chat: an optional system message and the user/assistant turns, in the shape chat templates and
/// conversation files use ({"role": …, "content": …}).
public struct Conversation: Equatable, Sendable {
    public struct Message: Equatable, Codable, Sendable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    public var system: String?
    public var messages: [Message] = []

    public init(system: String? = nil, messages: [Message] = []) {
        self.system = system
        self.messages = messages
    }

    /// The system message (if any) followed by the turns.
    public var allMessages: [Message] {
        (system.map { [Message(role: "system", content: $0)] } ?? []) + messages
    }

    /// The messages a chat template renders, system first.
    public var templateMessages: [[String: Any]] {
        allMessages.map { ["role": $0.role, "content": $0.content] }
    }

    // MARK: - Conversation files (/save and /load)

    private struct File: Codable {
        var model: String?
        var messages: [Message]
    }

    /// The file `/save` writes: {"model": …, "messages": [{"role", "content"}, …]}, pretty-printed.
    public func jsonData(model: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(File(model: model, messages: allMessages))
    }

    /// Reads {"messages": [{"role", "content"}, …]} (what `jsonData` writes) or a bare list of messages.
    /// `file` names the source in errors.
    public init(jsonData data: Data, file: String) throws {
        let decoder = JSONDecoder()
        let all: [Message]
        if let saved = try? decoder.decode(File.self, from: data) {
            all = saved.messages
        } else if let list = try? decoder.decode([Message].self, from: data) {
            all = list
        } else {
            throw ConversationFileError(file: file, problem: .notAConversation)
        }
        for message in all where !["system", "user", "assistant"].contains(message.role) {
            throw ConversationFileError(file: file, problem: .unknownRole(message.role))
        }
        system = all.first { $0.role == "system" }?.content
        messages = all.filter { $0.role != "system" }
    }

    /// Reads a conversation file.
    public static func load(from path: String) throws -> Conversation {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConversationFileError(file: path, problem: .unreadable)
        }
        return try Conversation(jsonData: data, file: path)
    }

    /// Writes the conversation file, naming `model` in it.
    public func save(to path: String, model: String) throws {
        do {
            try jsonData(model: model).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ConversationFileError(file: path, problem: .cannotWrite(reason: error.localizedDescription))
        }
    }
}
