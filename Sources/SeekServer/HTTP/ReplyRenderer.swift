import Foundation
import Hummingbird

/// Renders a generation's events as one endpoint's responses: the streamed chunks and the whole body.
protocol ReplyRenderer: Sendable {
    /// The event that opens a stream (the chat's role chunk), if any.
    func opening() -> ByteBuffer?
    func chunk(text: String, logprobs: [ChosenTokenLogprob]) -> ByteBuffer
    /// The chunk with `finish_reason`; it carries the timings when no usage chunk follows.
    func finalChunk(_ outcome: GenerationOutcome) -> ByteBuffer
    /// The `include_usage` chunk: empty choices, usage and timings.
    func usageChunk(_ outcome: GenerationOutcome) -> ByteBuffer
    func body(text: String, logprobs: [ChosenTokenLogprob], outcome: GenerationOutcome) -> Response
}

/// What every response of one request shares.
struct ReplyIdentity: Sendable {
    var id: String
    var created: Int
    var model: String
    var systemFingerprint: String
    var wantsLogprobs: Bool
    var includeUsage: Bool
    var returnTokenIds = false

    init(prefix: String, model: String, systemFingerprint: String, wantsLogprobs: Bool, includeUsage: Bool,
         returnTokenIds: Bool = false) {
        self.returnTokenIds = returnTokenIds
        id = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        created = Int(Date().timeIntervalSince1970)
        self.model = model
        self.systemFingerprint = systemFingerprint
        self.wantsLogprobs = wantsLogprobs
        self.includeUsage = includeUsage
    }
}

struct ChatRenderer: ReplyRenderer {
    let identity: ReplyIdentity

    private func chunk(_ choices: [ChatChunkChoice], usage: Usage? = nil, timings: Timings? = nil,
                       promptTokenIds: [Int]? = nil) -> ByteBuffer {
        ServerSentEvents.event(ChatCompletionChunk(
            id: identity.id, created: identity.created, model: identity.model, systemFingerprint: identity.systemFingerprint,
            choices: choices, usage: usage, includesUsageField: identity.includeUsage, timings: timings,
            promptTokenIds: promptTokenIds))
    }

    func opening() -> ByteBuffer? {
        chunk([.init(index: 0, delta: .init(role: "assistant", content: ""), logprobs: nil, finishReason: nil)])
    }

    func chunk(text: String, logprobs: [ChosenTokenLogprob]) -> ByteBuffer {
        chunk([.init(index: 0, delta: .init(role: nil, content: text),
                     logprobs: identity.wantsLogprobs ? ChatLogprobs(content: logprobs) : nil, finishReason: nil)])
    }

    func finalChunk(_ outcome: GenerationOutcome) -> ByteBuffer {
        chunk([.init(index: 0, delta: .init(role: nil, content: nil), logprobs: nil, finishReason: outcome.finish.rawValue,
                     tokenIds: identity.returnTokenIds ? outcome.completionTokenIds : nil)],
              timings: identity.includeUsage ? nil : outcome.timings,
              promptTokenIds: identity.returnTokenIds ? outcome.promptTokenIds : nil)
    }

    func usageChunk(_ outcome: GenerationOutcome) -> ByteBuffer {
        chunk([], usage: outcome.usage, timings: outcome.timings)
    }

    func body(text: String, logprobs: [ChosenTokenLogprob], outcome: GenerationOutcome) -> Response {
        JSONCoding.response(ChatCompletionResponse(
            id: identity.id, created: identity.created, model: identity.model, systemFingerprint: identity.systemFingerprint,
            choices: [.init(index: 0, message: .init(role: "assistant", content: text),
                            logprobs: identity.wantsLogprobs ? ChatLogprobs(content: logprobs) : nil,
                            finishReason: outcome.finish.rawValue,
                            tokenIds: identity.returnTokenIds ? outcome.completionTokenIds : nil)],
            usage: outcome.usage, timings: outcome.timings,
            promptTokenIds: identity.returnTokenIds ? outcome.promptTokenIds : nil))
    }
}

/// The legacy completions API. Its logprobs carry `text_offset`, so the renderer counts the text sent.
final class CompletionRenderer: ReplyRenderer, @unchecked Sendable {  // used by one request's task only
    let identity: ReplyIdentity
    private var sentCharacters = 0

    init(identity: ReplyIdentity) { self.identity = identity }

    private func event(_ choices: [TextCompletionChoice], usage: Usage? = nil, timings: Timings? = nil) -> ByteBuffer {
        ServerSentEvents.event(CompletionResponse(
            id: identity.id, created: identity.created, model: identity.model, systemFingerprint: identity.systemFingerprint,
            choices: choices, usage: usage, includesUsageField: identity.includeUsage, timings: timings))
    }

    func opening() -> ByteBuffer? { nil }

    func chunk(text: String, logprobs: [ChosenTokenLogprob]) -> ByteBuffer {
        defer { sentCharacters += text.count }
        return event([.init(text: text, index: 0,
                            logprobs: identity.wantsLogprobs ? CompletionLogprobs(logprobs, offset: sentCharacters) : nil,
                            finishReason: nil)])
    }

    func finalChunk(_ outcome: GenerationOutcome) -> ByteBuffer {
        event([.init(text: "", index: 0, logprobs: nil, finishReason: outcome.finish.rawValue,
                     promptTokenIds: identity.returnTokenIds ? outcome.promptTokenIds : nil,
                     tokenIds: identity.returnTokenIds ? outcome.completionTokenIds : nil)],
              timings: identity.includeUsage ? nil : outcome.timings)
    }

    func usageChunk(_ outcome: GenerationOutcome) -> ByteBuffer {
        event([], usage: outcome.usage, timings: outcome.timings)
    }

    func body(text: String, logprobs: [ChosenTokenLogprob], outcome: GenerationOutcome) -> Response {
        JSONCoding.response(CompletionResponse(
            id: identity.id, created: identity.created, model: identity.model, systemFingerprint: identity.systemFingerprint,
            choices: [.init(text: text, index: 0,
                            logprobs: identity.wantsLogprobs ? CompletionLogprobs(logprobs, offset: 0) : nil,
                            finishReason: outcome.finish.rawValue,
                            promptTokenIds: identity.returnTokenIds ? outcome.promptTokenIds : nil,
                            tokenIds: identity.returnTokenIds ? outcome.completionTokenIds : nil)],
            usage: outcome.usage, timings: outcome.timings))
    }
}
