import Foundation
import SeekChat
import SeekRemote

/// A connection to one server's model with the sampling fields to send: what the remote one-shot and
/// the remote chat share. Only the settings the user gave (flags, the registry entry, /set) are sent;
/// everything else is the server's default.
final class RemoteSession {
    let target: RemoteTarget
    private let client: RemoteClient
    /// The model's id on the server (nil: the server's only model, for servers that do not list any).
    private(set) var model: String?
    var sampling: RemoteSampling

    init(target: RemoteTarget, options: SamplingOptions) {
        self.target = target
        client = RemoteClient(endpoint: target.endpoint)
        model = target.model
        var sampling = RemoteSampling()
        // Settings the API has no field for (repeat_last_n) stay local-only.
        for (name, value) in target.entry?.sampling ?? [] { try? RemoteSession.apply(name, value, to: &sampling) }
        if let stop = target.entry?.stop { sampling.stop = stop }
        RemoteSession.apply(options, to: &sampling)
        self.sampling = sampling
    }

    /// Closes the connections.
    func close() {
        let client = self.client
        _ = try? RemoteBridge.run { await client.shutdown() }
    }

    /// Asks the server for its model when none was named: the first `/models` lists. A server that has
    /// no model list is sent requests without a model; one that cannot be reached is an error here.
    func chooseModel() throws {
        guard model == nil else { return }
        let client = self.client
        do {
            model = try RemoteBridge.run { try await client.models() }.first?.id
        } catch let error as RemoteError {
            switch error {
            case .notFound, .rejected, .malformedStream: model = nil
            default: throw error
            }
        }
    }

    /// The server's `/models`.
    func listModels() throws -> [RemoteModel] {
        let client = self.client
        return try RemoteBridge.run { try await client.models() }
    }

    /// Streams a chat reply to `messages`, showing pieces through `show` as they arrive. A reply that
    /// `isCancelled` stopped comes back with what arrived (`wasCancelled`).
    func chat(_ messages: [Conversation.Message], returnTokenIds: Bool = false, isCancelled: () -> Bool = { false },
              show: @escaping @Sendable (RemoteReply.Shown) -> Void) throws -> RemoteReply {
        let remoteMessages = messages.map { RemoteMessage(role: $0.role, content: $0.content) }
        return try stream(returnTokenIds: returnTokenIds, isCancelled: isCancelled, show: show) { [client, model] sampling in
            client.streamChat(model: model, messages: remoteMessages, sampling: sampling)
        }
    }

    /// Streams a plain completion of `prompt` (no chat template).
    func complete(_ prompt: String, returnTokenIds: Bool = false, isCancelled: () -> Bool = { false },
                  show: @escaping @Sendable (RemoteReply.Shown) -> Void) throws -> RemoteReply {
        try stream(returnTokenIds: returnTokenIds, isCancelled: isCancelled, show: show) { [client, model] sampling in
            client.streamCompletion(model: model, prompt: prompt, sampling: sampling)
        }
    }

    private func stream(returnTokenIds: Bool, isCancelled: () -> Bool, show: @escaping @Sendable (RemoteReply.Shown) -> Void,
                        open: (RemoteSampling) -> AsyncThrowingStream<RemoteEvent, any Error>) throws -> RemoteReply {
        var sampling = self.sampling
        sampling.returnTokenIds = returnTokenIds
        let reply = RemoteReply()
        do {
            try RemoteBridge.consume(open(sampling), isCancelled: isCancelled) { event in
                if let shown = reply.record(event) { show(shown) }
            }
        } catch RemoteError.rejected(_, let message) where returnTokenIds && message.contains("return_token_ids") {
            // A strict server (OpenAI's) refuses the extension: ask again without it.
            return try stream(returnTokenIds: false, isCancelled: isCancelled, show: show, open: open)
        } catch RemoteError.cancelled {
            reply.markCancelled()
        }
        return reply
    }

    // MARK: - Sampling fields

    /// The sampling flags that were given.
    static func apply(_ options: SamplingOptions, to sampling: inout RemoteSampling) {
        if let value = options.maxTokens { sampling.maxTokens = value < 0 ? nil : value }
        if let value = options.temperature { sampling.temperature = Double(value) }
        if let value = options.topK { sampling.topK = value }
        if let value = options.topP { sampling.topP = Double(value) }
        if let value = options.minP { sampling.minP = Double(value) }
        if let value = options.repeatPenalty { sampling.repeatPenalty = Double(value) }
        if let value = options.seed { sampling.seed = Int64(bitPattern: value) }
        if !options.stop.isEmpty { sampling.stop = options.stop }
    }

    /// One setting by its registry / `/set` name, range-checked as for a local model.
    static func apply(_ name: String, _ value: String, to sampling: inout RemoteSampling) throws {
        var scratch = SamplingSettings()
        try scratch.set(name, to: value)  // the same names and ranges as a local model
        let p = scratch.parameters
        switch name {
        case "temperature", "temp": sampling.temperature = Double(p.temperature)
        case "top_k": sampling.topK = p.topK
        case "top_p": sampling.topP = Double(p.topP)
        case "min_p": sampling.minP = Double(p.minP)
        case "repeat_penalty": sampling.repeatPenalty = Double(p.repeatPenalty)
        case "seed": sampling.seed = Int64(bitPattern: p.seed)
        case "max_tokens": sampling.maxTokens = scratch.maxTokens < 0 ? nil : scratch.maxTokens
        default: throw RemoteSettingError(name: name)
        }
    }

    /// The fields that will be sent, for /show and --verbose.
    static func describe(_ sampling: RemoteSampling) -> String {
        var parts: [String] = []
        func add(_ name: String, _ value: (any CustomStringConvertible)?) { if let value { parts.append("\(name) \(value)") } }
        add("temperature", sampling.temperature)
        add("top_k", sampling.topK)
        add("top_p", sampling.topP)
        add("min_p", sampling.minP)
        add("repeat_penalty", sampling.repeatPenalty)
        add("seed", sampling.seed)
        add("max_tokens", sampling.maxTokens)
        if !sampling.stop.isEmpty { parts.append("stop " + sampling.stop.map { "\"\($0)\"" }.joined(separator: ", ")) }
        return parts.isEmpty ? "the server's defaults" : parts.joined(separator: "  ") + "  (the rest: the server's defaults)"
    }
}

/// A setting the API has no field for.
struct RemoteSettingError: Error, CustomStringConvertible {
    let name: String
    var description: String { "\(name): cannot be set for a remote model (the API has no such field)" }
}
