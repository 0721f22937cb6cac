import SeekChat
import SeekEngine
import SeekServer
import SeekTokenizer

/// The chat library's loaded model as the server sees it: its name, tokenizer, end-of-sequence ids,
/// chat template and sampling defaults (seek's, generation_config.json's, the registry entry's), so
/// that a request with the same settings gets what `seek` itself would generate.
final class ServedChatModel: ServedModel, @unchecked Sendable {  // immutable after init
    let name: String
    let contextSize: Int
    let stopTokenIds: Set<Int>
    let defaultSampling: SamplingParameters
    let defaultMaxTokens: Int?
    private let formatter: PromptFormatter
    /// The registry entry's system message, used when a request sends none.
    private let defaultSystem: String?

    var tokenizer: Tokenizer { formatter.tokenizer }

    init(loaded: LoadedModel, defaults: SamplingSettings) {
        name = loaded.name
        contextSize = loaded.model.contextSize
        stopTokenIds = loaded.stopTokenIds
        formatter = loaded.formatter
        defaultSystem = loaded.defaultSystem
        defaultSampling = defaults.parameters
        defaultMaxTokens = defaults.maxTokens > 0 ? defaults.maxTokens : nil
    }

    func chatPromptIds(_ messages: [ChatMessage]) throws -> [Int] {
        guard formatter.canChat else {
            throw ChatError.noChatTemplate  // answered as a 400: use /v1/completions for this model
        }
        var conversation = Conversation(system: nil, messages: [])
        for message in messages {
            if message.role == "system", conversation.messages.isEmpty, conversation.system == nil {
                conversation.system = message.content
            } else {
                conversation.messages.append(.init(role: message.role, content: message.content))
            }
        }
        if conversation.system == nil, !messages.contains(where: { $0.role == "system" }) {
            conversation.system = defaultSystem
        }
        return try formatter.chatIds(conversation)
    }

    func textPromptIds(_ text: String) -> [Int] {
        formatter.rawIds(text)
    }
}
