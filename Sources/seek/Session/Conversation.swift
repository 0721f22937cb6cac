import Foundation
import SeekEngine

/// A chat: an optional system message and the user/assistant turns, in the shape chat templates and
/// `/save` files use ({"role": …, "content": …}).
struct Conversation: Equatable {
    struct Message: Equatable, Codable {
        var role: String
        var content: String
    }

    var system: String?
    var messages: [Message] = []

    /// The messages a chat template renders, system first.
    var templateMessages: [[String: Any]] {
        let all = (system.map { [Message(role: "system", content: $0)] } ?? []) + messages
        return all.map { ["role": $0.role, "content": $0.content] }
    }

    // MARK: - /save and /load

    private struct File: Codable {
        var model: String?
        var messages: [Message]
    }

    func jsonData(model: String) throws -> Data {
        let all = (system.map { [Message(role: "system", content: $0)] } ?? []) + messages
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(File(model: model, messages: all))
    }

    /// Reads {"messages": [{"role", "content"}, …]} (what /save writes) or a bare list of messages.
    init(jsonData data: Data, file: String) throws {
        let decoder = JSONDecoder()
        let all: [Message]
        if let saved = try? decoder.decode(File.self, from: data) {
            all = saved.messages
        } else if let list = try? decoder.decode([Message].self, from: data) {
            all = list
        } else {
            throw SeekError("\(file): not a conversation (expected {\"messages\": [{\"role\": …, \"content\": …}]})")
        }
        for message in all where !["system", "user", "assistant"].contains(message.role) {
            throw SeekError("\(file): unknown role \"\(message.role)\" (expected system, user or assistant)")
        }
        system = all.first { $0.role == "system" }?.content
        messages = all.filter { $0.role != "system" }
    }

    init(system: String? = nil) { self.system = system }
}

