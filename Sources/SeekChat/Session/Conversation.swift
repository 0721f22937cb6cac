import Foundation
import SeekJSON
import SeekEngine

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

    /// The file `/save` writes: {"model": …, "messages": [{"role", "content"}, …]}, indented by two
    /// spaces, UTF-8 as is (Python's `json.dumps(…, indent=2, ensure_ascii=False)`).
    public func jsonData(model: String) throws -> Data {
        let writer = JSONWriter(ensureASCII: false, indent: "  ", allowNonFinite: false)
        let text = try writer.string(try JSONValueEncoder().encode(File(model: model, messages: allMessages)))
        return Data((text + "\n").utf8)
    }

    /// Reads {"messages": [{"role", "content"}, …]} (what `jsonData` writes) or a bare list of messages.
    /// `file` names the source in errors.
    public init(jsonData data: Data, file: String) throws {
        let decoder = JSONValueDecoder()
        guard let json = try? JSONParser.parse([UInt8](data)) else {
            throw ConversationFileError(file: file, problem: .notAConversation)
        }
        let all: [Message]
        if let saved = try? decoder.decode(File.self, from: json) {
            all = saved.messages
        } else if let list = try? decoder.decode([Message].self, from: json) {
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

    /// Largest conversation file `/load` reads.
    public static let fileLimit = 256 << 20

    /// `~` and `~/…` as `$HOME` (not the passwd entry's home), as a shell would.
    public static func expandHome(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty else { return path }
        return home + path.dropFirst()
    }

    /// Reads a conversation file (a regular file; `~` is $HOME).
    public static func load(from path: String) throws -> Conversation {
        let file = expandHome(path)
        let data: Data
        do { data = try RegularFile.read(file, limit: fileLimit) } catch let error as FileReadError {
            if error.problem == .noSuchFile { throw ConversationFileError(file: file, problem: .unreadable) }
            throw ConversationFileError(file: file, problem: .cannotRead(reason: error.problem.description))
        }
        return try Conversation(jsonData: data, file: file)
    }

    /// Writes the conversation file, naming `model` in it. The old file, if any, is replaced at once
    /// (temporary file, fsync, rename): a full disk leaves it whole. `~` is $HOME.
    public func save(to path: String, model: String) throws {
        let file = Conversation.expandHome(path)
        do {
            try AtomicFile.write(try jsonData(model: model), to: file)
        } catch let error as AtomicFileError {
            throw ConversationFileError(file: file, problem: .cannotWrite(reason: error.reason))
        } catch {
            throw ConversationFileError(file: file, problem: .cannotWrite(reason: "\(error)"))
        }
    }
}
