import SeekChat
import SeekEngine
import SeekServer
import SeekTokenizer

/// The chat library's loaded model as the server sees it: its name, tokenizer, end-of-sequence ids,
/// chat template and sampling defaults (seek's, generation_config.json's, the registry entry's), so
/// that a request with the same settings gets what `seek` itself would generate.
final class ServedChatModel: ServedModel, @unchecked Sendable {  // immutable after init; `transcripts` locks itself
    let name: String
    let contextSize: Int
    let stopTokenIds: Set<Int>
    let defaultSampling: SamplingParameters
    let defaultMaxTokens: Int?
    private let formatter: PromptFormatter
    /// The registry entry's system message, used when a request sends none.
    private let defaultSystem: String?
    /// Recent conversations' prompts and replies as ids: a client resending a conversation gets the ids
    /// the local chat would have (earlier replies as generated), so greedy replies match `seek`'s.
    private let transcripts: ChatTranscriptMemory

    var tokenizer: Tokenizer { formatter.tokenizer }

    /// `conversations`: how many recent conversations' ids are remembered.
    init(loaded: LoadedModel, defaults: SamplingSettings, conversations: Int = 16) {
        name = loaded.name
        contextSize = loaded.model.contextSize
        stopTokenIds = loaded.stopTokenIds
        formatter = loaded.formatter
        defaultSystem = loaded.defaultSystem
        defaultSampling = defaults.parameters
        defaultMaxTokens = defaults.maxTokens > 0 ? defaults.maxTokens : nil
        transcripts = ChatTranscriptMemory(tokenizer: loaded.formatter.tokenizer, capacity: conversations)
    }

    func chatPrompt(_ messages: [ChatMessage]) throws -> (ids: [Int], onReply: ReplyObserver?) {
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
        let prompt = try transcripts.prompt(forRendered: try formatter.chatText(conversation))
        return (prompt.ids, { [transcripts] ids, text in transcripts.remember(prompt, replyIds: ids, replyText: text) })
    }

    func textPromptIds(_ text: String) throws -> [Int] {
        try formatter.rawIds(text)
    }
}
