import SeekEngine

/// A conversation with a model. Each turn renders the whole conversation with the chat template; the
/// generator finds the part already in the KV cache, so only new tokens are computed. Without a chat
/// template each message is completed on its own, as plain text.
///
/// One session drives one model's cache: not for use from several threads at once.
public final class ChatSession {
    public let formatter: PromptFormatter
    private let generation: TextGeneration
    public private(set) var settings: SamplingSettings
    private var sampler: Sampler
    public var conversation: Conversation
    /// Timings of the last reply.
    public private(set) var lastStats: GenerationStats?

    public init(generation: TextGeneration, formatter: PromptFormatter, settings: SamplingSettings, system: String?) {
        self.generation = generation
        self.formatter = formatter
        self.settings = settings
        sampler = Sampler(settings.parameters)
        conversation = Conversation(system: system)
    }

    /// A session on a loaded model; `system` nil means the registry entry's system message, if any.
    public convenience init(loaded: LoadedModel, settings: SamplingSettings, system: String? = nil) {
        self.init(generation: loaded.makeTextGeneration(), formatter: loaded.formatter, settings: settings,
                  system: system ?? loaded.defaultSystem)
    }

    public var canChat: Bool { formatter.canChat }

    /// Tokens the context holds.
    public var contextSize: Int { generation.generator.model.contextSize }

    /// Tokens in the KV cache now.
    public var contextUsed: Int { generation.generator.cachedIds.count }

    /// Changes one setting by name (`SamplingSettings.set`).
    public func set(_ name: String, to value: String) throws {
        try settings.set(name, to: value)
        sampler.update(settings.parameters)
    }

    /// Replaces all settings.
    public func update(_ newSettings: SamplingSettings) {
        settings = newSettings
        sampler.update(newSettings.parameters)
    }

    /// Forgets the turns (the system message stays) and empties the cache.
    public func clear() {
        conversation.messages.removeAll()
        generation.generator.reset()
    }

    /// Sends a user message and streams the reply through `onText`. A cancelled reply keeps what was
    /// shown; a turn that failed, or was cancelled before any text, is taken back.
    public func send(_ userText: String, isCancelled: () -> Bool = { false }, onText: (String) -> Void) throws -> Completion {
        conversation.messages.append(.init(role: "user", content: userText))
        do {
            let ids = canChat ? try formatter.chatIds(conversation) : formatter.rawIds(userText)
            guard ids.count <= contextSize else {
                throw ChatError.conversationTooLong(tokens: ids.count, capacity: contextSize)
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
