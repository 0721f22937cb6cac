import Foundation
import SeekJSON

/// Turns the `data:` payloads of a chat-completion or completion stream into `RemoteEvent`s, accepting
/// what vLLM, SGLang, llama-server, ollama and OpenAI actually send: role-only first chunks, empty
/// `choices` in usage chunks, `usage: null` on ordinary chunks, `reasoning_content` / `reasoning`
/// deltas, `text` instead of `delta` (legacy completions), timings on the last chunk, and errors sent
/// inside the stream.
public struct StreamChunkDecoder: Sendable {
    public private(set) var isDone = false
    public private(set) var sawFinish = false
    private var pendingTimings: RemoteTimings?
    private var sawUsage = false

    public init() {}

    /// The events of one SSE event. Throws `RemoteError.streamError` for an error payload and
    /// `.malformedStream` for anything that is not a chunk.
    public mutating func decode(_ event: ServerSentEvent) throws -> [RemoteEvent] {
        let payload = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
        if payload == "[DONE]" {
            isDone = true
            // Timings without a usage object (llama-server without include_usage) still count.
            if !sawUsage, let timings = pendingTimings, let prompt = timings.promptN, let predicted = timings.predictedN {
                sawUsage = true
                return [.usage(RemoteUsage(promptTokens: prompt + (timings.cacheN ?? 0), completionTokens: predicted,
                                           cachedTokens: timings.cacheN, timings: timings))]
            }
            return []
        }
        guard !payload.isEmpty else { return [] }
        guard case .object(let object)? = try? JSONParser.parse(payload) else {
            throw RemoteError.malformedStream("not JSON: \(payload.prefix(80))")
        }
        if event.type == "error" || object["error"] != nil || object["object"] == .string("error") {
            throw RemoteError.streamError(message: ErrorBodyReader.message(in: object) ?? payload)
        }
        guard let items = object["choices"]?.arrayValue, case let choices = items.compactMap(\.objectValue),
              choices.count == items.count else {
            throw RemoteError.malformedStream("a chunk without choices: \(payload.prefix(80))")
        }
        var events: [RemoteEvent] = []
        var promptIds = Self.ids(object["prompt_token_ids"])
        for choice in choices where (Self.int(choice["index"]) ?? 0) == 0 {
            promptIds = promptIds ?? Self.ids(choice["prompt_token_ids"])
            let replyIds = Self.ids(choice["token_ids"])
            if promptIds != nil || replyIds != nil {
                events.append(.tokenIds(prompt: promptIds, reply: replyIds ?? []))
                promptIds = nil
            }
            if case .object(let delta)? = choice["delta"] {
                if let role = delta["role"]?.stringValue { events.append(.role(role)) }
                for key in ["reasoning_content", "reasoning"] {
                    if let text = delta[key]?.stringValue, !text.isEmpty { events.append(.reasoning(text)) }
                }
                if let text = delta["content"]?.stringValue, !text.isEmpty { events.append(.content(text)) }
            } else if let text = choice["text"]?.stringValue, !text.isEmpty {
                events.append(.content(text))
            }
            if let reason = choice["finish_reason"]?.stringValue {
                sawFinish = true
                events.append(.finish(reason: reason))
            }
        }
        if let timings = object["timings"], timings.objectValue != nil {
            pendingTimings = try? JSONValueDecoder().decode(RemoteTimings.self, from: timings)
        }
        if case .object(let usage)? = object["usage"], let prompt = Self.int(usage["prompt_tokens"]),
           let completion = Self.int(usage["completion_tokens"]) {
            sawUsage = true
            events.append(.usage(RemoteUsage(promptTokens: prompt, completionTokens: completion,
                                             cachedTokens: Self.int(usage["prompt_tokens_details"]?["cached_tokens"]),
                                             timings: pendingTimings)))
        }
        if let promptIds { events.append(.tokenIds(prompt: promptIds, reply: [])) }
        return events
    }

    /// A whole number (some servers write counts as `3.0`), or nil.
    private static func int(_ value: JSON?) -> Int? {
        switch value {
        case .int(let i)?: return i
        case .double(let d)?: return Int(exactly: d)
        default: return nil
        }
    }

    /// A list of token ids, or nil when `value` is not one.
    private static func ids(_ value: JSON?) -> [Int]? {
        guard let list = value?.arrayValue else { return nil }
        let ids = list.compactMap { int($0) }
        return ids.count == list.count ? ids : nil
    }
}
