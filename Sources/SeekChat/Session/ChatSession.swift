import Foundation
import SeekEngine

/// A conversation with a model. Each turn renders the conversation with the chat template; the ids of
/// earlier turns (replies as generated) are kept, so only the text the template added is tokenized and
/// computed. When a turn would not fit the context, the oldest whole turns leave it (the system message
/// and the newest turns stay) by a context shift of the KV cache, not a recomputation. Without a chat
/// template each message is completed on its own, as plain text.
///
/// One session drives one model's cache: not for use from several threads at once.
public final class ChatSession {
    public let formatter: PromptFormatter
    private let generation: TextGeneration
    public private(set) var settings: SamplingSettings
    private var sampler: Sampler
    private var turns: Conversation
    /// Messages at the start of `conversation.messages` the model no longer sees (dropped for room).
    public private(set) var droppedMessages = 0
    /// The ids and text the cache stands for after the last turn (nil: tokenize the next prompt whole).
    private var transcript: ChatTranscript?
    private var shiftReported = false
    /// Timings of the last reply.
    public private(set) var lastStats: GenerationStats?
    /// Whether the last prompt opened the reply inside a reasoning block (a template ending in
    /// `<think>`, as DeepSeek-R1's does), so the reply starts with thinking.
    public private(set) var replyStartsThinking = false

    /// The whole conversation, dropped turns included (what /save writes). Setting it tokenizes the next
    /// prompt whole (the cache still serves its longest matching prefix).
    public var conversation: Conversation {
        get { turns }
        set {
            // A new system message keeps the turns out of the context out; other changes start over.
            if newValue.messages != turns.messages { droppedMessages = 0 }
            turns = newValue
            transcript = nil
        }
    }

    public init(generation: TextGeneration, formatter: PromptFormatter, settings: SamplingSettings, system: String?) {
        self.generation = generation
        self.formatter = formatter
        self.settings = settings
        sampler = Sampler(settings.parameters)
        turns = Conversation(system: system)
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

    /// The token ids of the last prompt followed by its reply, as the cache holds them.
    public var transcriptIds: [Int] { transcript?.ids ?? [] }

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
    /// shown; a turn that failed, or was cancelled before any text, is taken back. `onWarning` hears
    /// once that older turns left the context.
    public func send(_ userText: String, isCancelled: () -> Bool = { false }, onWarning: (ChatWarning) -> Void = { _ in },
                     onText: (String) -> Void) throws -> Completion {
        turns.messages.append(.init(role: "user", content: userText))
        let earlier = transcript
        var current: ChatTranscript?
        do {
            let ids: [Int]
            if canChat {
                let prompt = try chatPrompt(onWarning: onWarning)
                current = prompt
                ids = prompt.ids
            } else {
                ids = try formatter.rawIds(userText)
            }
            guard ids.count <= contextSize else {
                throw ChatError.conversationTooLong(tokens: ids.count, capacity: contextSize)
            }
            let completion = try generation.complete(promptIds: ids, settings: settings, sampler: &sampler,
                                                     isCancelled: isCancelled, onText: onText)
            lastStats = completion.stats
            if completion.finishReason == .cancelled, completion.text.isEmpty {
                turns.messages.removeLast()
                transcript = earlier
            } else {
                let content = ChatTranscript.content(ofReply: completion.text)
                turns.messages.append(.init(role: "assistant", content: content))
                current?.appendReply(completion.tokens, content: content)
                transcript = current
            }
            return completion
        } catch {
            turns.messages.removeLast()
            transcript = current == nil ? earlier : nil
            throw error
        }
    }

    /// The turns the model sees: the system message and the messages not dropped.
    private var visible: Conversation {
        Conversation(system: turns.system, messages: Array(turns.messages[droppedMessages...]))
    }

    /// Tokens kept free for the reply when deciding whether a turn fits.
    private var replyRoom: Int {
        min(settings.maxTokens >= 0 ? settings.maxTokens : contextSize / 4, contextSize / 2)
    }

    /// The prompt of the turn just added: the earlier ids plus the new text's, or the rendering tokenized
    /// whole; with the oldest turns shifted out of the cache when it would not fit.
    private func chatPrompt(onWarning: (ChatWarning) -> Void) throws -> ChatTranscript {
        let rendered = try formatter.chatText(visible)
        replyStartsThinking = rendered.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("<think>")
        var prompt = try transcript ?? ChatTranscript(rendered: rendered, tokenizer: formatter.tokenizer)
        if try !prompt.extend(to: rendered) { prompt = try ChatTranscript(rendered: rendered, tokenizer: formatter.tokenizer) }
        guard prompt.ids.count + replyRoom > contextSize else { return prompt }

        // Where each older turn starts (a user message); the current one is the last message.
        let current = turns.messages.count - 1
        guard current > droppedMessages else { return prompt }  // no earlier turn to drop
        let starts = (droppedMessages + 1..<current).filter { turns.messages[$0].role == "user" } + [current]
        var chosen: (first: Int, prompt: ChatTranscript, removed: Range<Int>?)?
        for first in starts {
            let shifted = try dropping(upTo: first, from: prompt)
            chosen = (first, shifted.prompt, shifted.removed)
            if shifted.prompt.ids.count + replyRoom <= contextSize { break }
        }
        guard let chosen, chosen.prompt.ids.count <= contextSize else { return prompt }  // refused by the caller
        if let removed = chosen.removed { generation.generator.removeCachedTokens(in: removed) }
        let turnsDropped = turns.messages[droppedMessages..<chosen.first].filter { $0.role == "user" }.count
        droppedMessages = chosen.first
        if !shiftReported {
            shiftReported = true
            onWarning(.olderTurnsDropped(turns: turnsDropped, contextSize: contextSize))
        }
        return chosen.prompt
    }

    /// The prompt with the visible messages before `first` left out: their ids cut out of `prompt`
    /// (`removed`, to shift out of the cache) when the template renders the shorter conversation as
    /// exactly that text with those messages' text cut out, else the shorter rendering tokenized whole.
    private func dropping(upTo first: Int, from prompt: ChatTranscript) throws -> (prompt: ChatTranscript, removed: Range<Int>?) {
        let kept = Conversation(system: turns.system, messages: Array(turns.messages[first...]))
        let rendered = try formatter.chatText(kept)
        let before = Conversation(system: turns.system, messages: [])
        let through = Conversation(system: turns.system, messages: Array(turns.messages[droppedMessages..<first]))
        if let lower = try? formatter.chatText(before, openReply: false).utf8.count,
           let upper = try? formatter.chatText(through, openReply: false).utf8.count,
           lower <= upper, upper <= prompt.text.utf8.count,
           prompt.text.utf8.prefix(lower).elementsEqual(rendered.utf8.prefix(lower)),
           prompt.text.utf8.dropFirst(upper).elementsEqual(rendered.utf8.dropFirst(lower)) {
            var shifted = prompt
            if let removed = shifted.remove(bytes: lower..<upper) { return (shifted, removed) }
        }
        return (try ChatTranscript(rendered: rendered, tokenizer: formatter.tokenizer), nil)
    }
}
