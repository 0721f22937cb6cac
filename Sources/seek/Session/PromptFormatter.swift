import SeekEngine
import SeekTemplate
import SeekTokenizer

/// Turns text or a conversation into the ids the model sees.
struct PromptFormatter {
    let tokenizer: Tokenizer
    let template: ChatTemplate?

    var canChat: Bool { template != nil }

    /// Plain completion: the text as is, with BOS when tokenizer_config.json asks for it.
    func rawIds(_ text: String) -> [Int] {
        tokenizer.encode(text, addSpecialTokens: true)
    }

    /// The conversation rendered by the chat template with the assistant's turn opened. The template
    /// writes BOS itself, so the text is tokenized without adding special tokens again.
    func chatIds(_ conversation: Conversation) throws -> [Int] {
        guard let template else { throw SeekError("this model has no chat template (use --raw, or add chat_template to its registry entry)") }
        let text: String
        do {
            text = try template.render(messages: conversation.templateMessages, addGenerationPrompt: true,
                                       bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
        } catch {
            throw SeekError("chat template: \(error)")
        }
        return tokenizer.encode(text, addSpecialTokens: false)
    }
}
