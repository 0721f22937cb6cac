import SeekEngine

/// A conversation with a loaded model. Each turn renders the whole conversation with the chat
/// template; the generator finds the part already in the KV cache, so only new tokens are computed.
final class ChatSession {
    let loaded: LoadedModel
    private let formatter: PromptFormatter
    private let generation: TextGeneration
    private(set) var settings: SamplingSettings
    private var sampler: Sampler
    var conversation: Conversation
    private(set) var lastStats: GenerationStats?

    init(loaded: LoadedModel, settings: SamplingSettings, system: String?) {
        self.loaded = loaded
        formatter = PromptFormatter(tokenizer: loaded.tokenizer, template: loaded.template)
        generation = TextGeneration(generator: Generator(model: loaded.model, stopTokenIds: loaded.stopTokenIds),
                                    tokenizer: loaded.tokenizer)
        self.settings = settings
        sampler = Sampler(settings.parameters)
        conversation = Conversation(system: system)
    }

    var canChat: Bool { formatter.canChat }

    /// Tokens in the KV cache now.
    var contextUsed: Int { generation.generator.cachedIds.count }

    func set(_ name: String, to value: String) throws {
        try settings.set(name, to: value)
        sampler.update(settings.parameters)
    }

    /// Forgets the turns (the system message stays) and empties the cache.
    func clear() {
        conversation.messages.removeAll()
        generation.generator.reset()
    }

    /// Sends a user message and streams the reply through `onText`. A cancelled reply keeps what was
    /// shown; a turn that failed or produced nothing is taken back. Without a chat template each
    /// message is completed on its own, as plain text.
    func send(_ userText: String, isCancelled: () -> Bool, onText: (String) -> Void) throws -> Completion {
        conversation.messages.append(.init(role: "user", content: userText))
        do {
            let ids = canChat ? try formatter.chatIds(conversation) : formatter.rawIds(userText)
            let contextSize = loaded.model.contextSize
            guard ids.count <= contextSize else {
                throw SeekError("the conversation is \(ids.count) tokens, more than the context of \(contextSize): "
                    + "/clear to start over, or restart with a larger --ctx-size")
            }
            let completion = try generation.complete(promptIds: ids, settings: settings, sampler: &sampler,
                                                     isCancelled: isCancelled, onText: onText)
            lastStats = completion.stats
            if completion.finishReason == .cancelled, completion.text.isEmpty {
                conversation.messages.removeLast()
            } else {
                conversation.messages.append(.init(role: "assistant", content: completion.text))
            }
            return completion
        } catch {
            conversation.messages.removeLast()
            throw error
        }
    }
}
