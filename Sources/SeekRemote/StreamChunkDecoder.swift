import Foundation

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
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
            throw RemoteError.malformedStream("not JSON: \(payload.prefix(80))")
        }
        if event.type == "error" || object["error"] != nil || object["object"] as? String == "error" {
            throw RemoteError.streamError(message: ErrorBodyReader.message(in: object) ?? payload)
        }
        guard let choices = object["choices"] as? [[String: Any]] else {
            throw RemoteError.malformedStream("a chunk without choices: \(payload.prefix(80))")
        }
        var events: [RemoteEvent] = []
        var promptIds = Self.ids(object["prompt_token_ids"])
        for choice in choices where (choice["index"] as? Int ?? 0) == 0 {
            promptIds = promptIds ?? Self.ids(choice["prompt_token_ids"])
            let replyIds = Self.ids(choice["token_ids"])
            if promptIds != nil || replyIds != nil {
                events.append(.tokenIds(prompt: promptIds, reply: replyIds ?? []))
                promptIds = nil
            }
            if let delta = choice["delta"] as? [String: Any] {
                if let role = delta["role"] as? String { events.append(.role(role)) }
                for key in ["reasoning_content", "reasoning"] {
                    if let text = delta[key] as? String, !text.isEmpty { events.append(.reasoning(text)) }
                }
                if let text = delta["content"] as? String, !text.isEmpty { events.append(.content(text)) }
            } else if let text = choice["text"] as? String, !text.isEmpty {
                events.append(.content(text))
            }
            if let reason = choice["finish_reason"] as? String {
                sawFinish = true
                events.append(.finish(reason: reason))
            }
        }
        if let timingsObject = object["timings"] as? [String: Any],
           let data = try? JSONSerialization.data(withJSONObject: timingsObject) {
            pendingTimings = try? JSONDecoder().decode(RemoteTimings.self, from: data)
        }
        if let usage = object["usage"] as? [String: Any], let prompt = usage["prompt_tokens"] as? Int,
           let completion = usage["completion_tokens"] as? Int {
            let details = usage["prompt_tokens_details"] as? [String: Any]
            sawUsage = true
            events.append(.usage(RemoteUsage(promptTokens: prompt, completionTokens: completion,
                                             cachedTokens: details?["cached_tokens"] as? Int, timings: pendingTimings)))
        }
        if let promptIds { events.append(.tokenIds(prompt: promptIds, reply: [])) }
        return events
    }

    /// A list of token ids, or nil when `value` is not one.
    private static func ids(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        let ids = list.compactMap { $0 as? Int }
        return ids.count == list.count ? ids : nil
    }
}
