import Foundation
import SeekEngine

/// How a validated request wants its answer delivered.
public struct DeliveryOptions: Sendable, Equatable {
    public var stream: Bool
    /// Streaming only: a usage chunk before `data: [DONE]`.
    public var includeUsage: Bool
    /// The final chunk (or the body) carries `prompt_token_ids` and the choice's `token_ids`.
    public var returnTokenIds = false
}

/// Checks a request's fields against OpenAI's rules and this server's model, and turns it into a
/// `GenerationRequest`. Every problem is a 400 (or 404 for another model) naming the field.
public struct RequestValidation: Sendable {
    public let model: any ServedModel

    public init(model: any ServedModel) { self.model = model }

    public func chat(_ body: ChatCompletionRequest) throws -> (GenerationRequest, DeliveryOptions) {
        try checkModel(body.model)
        guard !body.messages.isEmpty else { throw OpenAIError.invalid("messages must not be empty", param: "messages") }
        for (index, message) in body.messages.enumerated()
        where !["system", "developer", "user", "assistant"].contains(message.role) {
            throw OpenAIError.invalid("messages[\(index)].role \"\(message.role)\" is not supported (system, developer, user, assistant)",
                                      param: "messages[\(index)].role")
        }
        let messages = body.messages.map { message in
            message.role == "developer" ? ChatMessage(role: "system", content: message.content) : message
        }
        let prompt: (ids: [Int], onReply: ReplyObserver?)
        do { prompt = try model.chatPrompt(messages) } catch let error as OpenAIError { throw error } catch {
            throw OpenAIError.invalid("messages: \(error)", param: "messages")
        }
        var request = try generation(promptIds: prompt.ids, fields: body.sampling, promptParam: "messages")
        request.onReply = prompt.onReply
        if body.logprobs == true {
            let top = body.topLogprobs ?? 0
            guard (0...20).contains(top) else {
                throw OpenAIError.invalid("top_logprobs must be between 0 and 20, got \(top)", param: "top_logprobs")
            }
            request.topLogprobs = top
        } else if let top = body.topLogprobs, top > 0 {
            throw OpenAIError.invalid("top_logprobs needs logprobs set to true", param: "top_logprobs")
        }
        return (request, try delivery(body.sampling))
    }

    public func completion(_ body: CompletionRequest) throws -> (GenerationRequest, DeliveryOptions) {
        try checkModel(body.model)
        if body.echo == true { throw OpenAIError.invalid("echo is not supported", param: "echo") }
        if let suffix = body.suffix, !suffix.isEmpty { throw OpenAIError.invalid("suffix is not supported", param: "suffix") }
        let ids: [Int]
        switch body.prompt {
        case .text(let text):
            do { ids = try model.textPromptIds(text) } catch { throw OpenAIError.invalid("prompt: \(error)", param: "prompt") }
        case .tokens(let tokens):
            let vocabulary = model.tokenizer.vocabularySize
            if let bad = tokens.first(where: { $0 < 0 || $0 >= vocabulary }) {
                throw OpenAIError.invalid("prompt token id \(bad) is outside the vocabulary (0..<\(vocabulary))", param: "prompt")
            }
            ids = tokens
        case .batch(let count):
            throw OpenAIError.invalid("only one prompt per request is supported, got \(count)", param: "prompt")
        }
        var request = try generation(promptIds: ids, fields: body.sampling, promptParam: "prompt")
        if let top = body.logprobs {
            guard (0...20).contains(top) else {
                throw OpenAIError.invalid("logprobs must be between 0 and 20, got \(top)", param: "logprobs")
            }
            request.topLogprobs = top
        }
        return (request, try delivery(body.sampling))
    }

    private func checkModel(_ name: String?) throws {
        guard let name, name != model.name else { return }
        throw OpenAIError.unknownModel(name, served: model.name)
    }

    private func delivery(_ fields: SamplingFields) throws -> DeliveryOptions {
        let stream = fields.stream ?? false
        if fields.streamOptions != nil && !stream {
            throw OpenAIError.invalid("stream_options is only allowed when stream is true", param: "stream_options")
        }
        return DeliveryOptions(stream: stream, includeUsage: fields.streamOptions?.includeUsage ?? false,
                               returnTokenIds: fields.returnTokenIds ?? false)
    }

    private func generation(promptIds: [Int], fields: SamplingFields, promptParam: String) throws -> GenerationRequest {
        guard !promptIds.isEmpty else { throw OpenAIError.invalid("the prompt is empty (no tokens)", param: promptParam) }
        guard promptIds.count <= model.contextSize else {
            throw OpenAIError.invalid("the prompt is \(promptIds.count) tokens, more than the context of \(model.contextSize)",
                                      param: promptParam, code: "context_length_exceeded")
        }
        if let n = fields.n, n != 1 { throw OpenAIError.invalid("only n = 1 is supported, got \(n)", param: "n") }

        var sampling = model.defaultSampling
        sampling.seed = fields.seed.map { UInt64(bitPattern: $0) } ?? UInt64.random(in: .min ... .max)
        if let value = fields.temperature {
            try check(value, in: 0...2, "temperature")
            sampling.temperature = Float(value)
        }
        if let value = fields.topP {
            guard value > 0 && value <= 1 else { throw OpenAIError.invalid("top_p must be in (0, 1], got \(value)", param: "top_p") }
            sampling.topP = Float(value)
        }
        if let value = fields.topK {
            guard value >= 0 else { throw OpenAIError.invalid("top_k must be 0 (off) or more, got \(value)", param: "top_k") }
            sampling.topK = value
        }
        if let value = fields.minP {
            try check(value, in: 0...1, "min_p")
            sampling.minP = Float(value)
        }
        if let value = fields.repeatPenalty {
            guard value > 0 && value.isFinite else {
                throw OpenAIError.invalid("repeat_penalty must be above 0, got \(value)", param: "repeat_penalty")
            }
            sampling.repeatPenalty = Float(value)
        }
        var request = GenerationRequest(promptIds: promptIds, sampling: sampling)
        if let value = fields.presencePenalty {
            try check(value, in: -2...2, "presence_penalty")
            request.presencePenalty = Float(value)
        }
        if let value = fields.frequencyPenalty {
            try check(value, in: -2...2, "frequency_penalty")
            request.frequencyPenalty = Float(value)
        }
        if let max = fields.maxCompletionTokens ?? fields.maxTokens {
            let name = fields.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens"
            guard max >= 1 else { throw OpenAIError.invalid("\(name) must be at least 1, got \(max)", param: name) }
            request.maxTokens = max
        } else {
            request.maxTokens = model.defaultMaxTokens
        }
        let stops = fields.stop?.strings ?? []
        if stops.contains(where: \.isEmpty) { throw OpenAIError.invalid("stop strings must not be empty", param: "stop") }
        request.stop = stops
        return request
    }

    private func check(_ value: Double, in range: ClosedRange<Double>, _ name: String) throws {
        guard range.contains(value) else {
            throw OpenAIError.invalid("\(name) must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(Self.format(value))",
                                      param: name)
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
