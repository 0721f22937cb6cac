import SeekTemplate

/// A chat turn or prompt that cannot be formatted or does not fit.
public enum ChatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Chat formatting was asked of a model without a chat template.
    case noChatTemplate
    /// A system message for a model without a chat template (plain completion has no system message).
    case systemMessageNeedsTemplate(model: String)
    /// The rendered conversation does not fit the context.
    case conversationTooLong(tokens: Int, capacity: Int)
    /// The chat template does not parse.
    case invalidTemplate(origin: TemplateOrigin, error: TemplateError)
    /// The chat template rendered an empty prompt for the conversation.
    case templateRenderedNothing(template: String)

    /// Where a chat template came from.
    public enum TemplateOrigin: Equatable, Sendable, CustomStringConvertible {
        /// A registry entry's chat_template or chat_template_file.
        case registry(model: String)
        /// The model folder's tokenizer_config.json.
        case tokenizerConfig(folder: String)

        public var description: String {
            switch self {
            case .registry(let model): return "the registry's chat template for \(model)"
            case .tokenizerConfig(let folder): return "\(folder)/tokenizer_config.json chat_template"
            }
        }
    }

    public var description: String {
        switch self {
        case .noChatTemplate: return "this model has no chat template"
        case .systemMessageNeedsTemplate(let model): return "a system message needs a chat template, and \(model) has none"
        case .conversationTooLong(let tokens, let capacity):
            return "the conversation is \(tokens) tokens, more than the context of \(capacity)"
        case .invalidTemplate(let origin, let error): return "\(origin): \(error)"
        case .templateRenderedNothing(let template): return "\(template): rendered nothing for this conversation"
        }
    }
}
