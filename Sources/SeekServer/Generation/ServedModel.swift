import SeekEngine
import SeekTokenizer

/// What the server needs to know about the model it serves besides its forward pass: its name, how a
/// chat or a text becomes prompt ids, which ids end a reply, and its sampling defaults. The real one
/// is written over the chat library's loaded model; tests use the tiny-chat tokenizer with a scripted
/// predictor.
public protocol ServedModel: AnyObject, Sendable {
    /// The id `GET /v1/models` lists and requests name in `model`.
    var name: String { get }
    /// Tokens one sequence can hold.
    var contextSize: Int { get }
    /// The tokenizer whose ids the predictor reads (the server decodes replies with it).
    var tokenizer: Tokenizer { get }
    /// Ids that end a reply (end-of-sequence); they are never part of the reply's text.
    var stopTokenIds: Set<Int> { get }
    /// Sampling for fields a request leaves out (the folder's generation_config.json, the registry).
    var defaultSampling: SamplingParameters { get }
    /// Most tokens per reply when a request gives no `max_tokens`; nil: until the context is full.
    var defaultMaxTokens: Int? { get }
    /// The conversation rendered with the chat template (system message included) and the assistant's
    /// turn opened, as ids, and who hears the reply. A model that remembers its replies gives the ids a
    /// local chat would have: earlier replies as they were generated, not their text re-tokenized.
    /// Throws a one-line reason (answered as a 400) when it cannot be rendered.
    func chatPrompt(_ messages: [ChatMessage]) throws -> (ids: [Int], onReply: ReplyObserver?)
    /// A plain-text prompt as ids (with BOS when the tokenizer's configuration asks for it).
    /// Throws a one-line reason (answered as a 400) when it cannot be tokenized.
    func textPromptIds(_ text: String) throws -> [Int]
}

extension ServedModel {
    /// The ids of `chatPrompt`.
    public func chatPromptIds(_ messages: [ChatMessage]) throws -> [Int] {
        try chatPrompt(messages).ids
    }
}
