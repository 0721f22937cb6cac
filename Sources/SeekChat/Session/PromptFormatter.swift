import SeekEngine
import SeekTemplate
import SeekTokenizer

/// Turns text or a conversation into the ids the model sees.
public struct PromptFormatter: Sendable {
    public let tokenizer: Tokenizer
    public let template: ChatTemplate?

    public init(tokenizer: Tokenizer, template: ChatTemplate?) {
        self.tokenizer = tokenizer
        self.template = template
    }

    /// Whether the model has a chat template; without one, text is completed as is.
    public var canChat: Bool { template != nil }

    /// Plain completion: the text as is, with BOS when tokenizer_config.json asks for it. Throws the
    /// tokenizer's `TokenizerError` (a pre-tokenizer pattern out of its step budget).
    public func rawIds(_ text: String) throws -> [Int] {
        try tokenizer.encode(text, addSpecialTokens: true)
    }

    /// The conversation rendered by the chat template with the assistant's turn opened. The template
    /// writes BOS itself, so the text is tokenized without adding special tokens again. Throws
    /// `ChatError.noChatTemplate` without a template, the template's own `TemplateError`, and the
    /// tokenizer's `TokenizerError`.
    public func chatIds(_ conversation: Conversation) throws -> [Int] {
        try tokenizer.encode(try chatText(conversation), addSpecialTokens: false)
    }

    /// The conversation as the chat template renders it, with the assistant's turn opened
    /// (`openReply`) or not (the text up to the end of the last message).
    public func chatText(_ conversation: Conversation, openReply: Bool = true) throws -> String {
        guard let template else { throw ChatError.noChatTemplate }
        let text = try template.render(messages: conversation.templateMessages, addGenerationPrompt: openReply,
                                       bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
        // An empty render would send the model nothing at all: name the template rather than generate.
        guard !text.isEmpty else { throw ChatError.templateRenderedNothing(template: template.name ?? "the chat template") }
        return text
    }

    /// Ids of rendered template text (which writes BOS itself, so no special tokens are added).
    public func ids(ofRendered text: String) throws -> [Int] {
        try tokenizer.encode(text, addSpecialTokens: false)
    }
}
