import Hummingbird

/// `POST /v1/chat/completions` and `POST /v1/completions`: read and validate the body, queue the
/// request, and answer with one JSON body or an SSE stream. A client that goes away cancels its request,
/// which frees its slot before the next forward pass. Watching for that consumes the connection, so
/// these responses say `Connection: close` and the client opens a new one for its next request.
struct GenerationEndpoints: Sendable {
    let scheduler: SlotScheduler
    let validation: RequestValidation
    let configuration: ServerConfiguration

    func chat(_ request: Request) async throws -> Response {
        var request = request
        let buffer = try await RequestBodyReader.read(&request, limit: configuration.maxBodyBytes,
                                                      timeoutSeconds: configuration.bodyTimeoutSeconds)
        let body = try JSONCoding.decode(ChatCompletionRequest.self, from: buffer)
        let (generation, delivery) = try validation.chat(body)
        let renderer = ChatRenderer(identity: identity("chatcmpl-", generation, delivery))
        return try await respond(request, generation: generation, delivery: delivery, renderer: renderer)
    }

    func completion(_ request: Request) async throws -> Response {
        var request = request
        let buffer = try await RequestBodyReader.read(&request, limit: configuration.maxBodyBytes,
                                                      timeoutSeconds: configuration.bodyTimeoutSeconds)
        let body = try JSONCoding.decode(CompletionRequest.self, from: buffer)
        let (generation, delivery) = try validation.completion(body)
        let renderer = CompletionRenderer(identity: identity("cmpl-", generation, delivery))
        return try await respond(request, generation: generation, delivery: delivery, renderer: renderer)
    }

    private func identity(_ prefix: String, _ generation: GenerationRequest, _ delivery: DeliveryOptions) -> ReplyIdentity {
        ReplyIdentity(prefix: prefix, model: validation.model.name, systemFingerprint: configuration.systemFingerprint,
                      wantsLogprobs: generation.topLogprobs != nil, includeUsage: delivery.stream && delivery.includeUsage,
                      returnTokenIds: delivery.returnTokenIds)
    }

    private func respond(_ request: Request, generation: GenerationRequest, delivery: DeliveryOptions,
                         renderer: some ReplyRenderer) async throws -> Response {
        let handle = try scheduler.submit(generation)
        if delivery.stream { return stream(request, handle: handle, renderer: renderer, includeUsage: delivery.includeUsage) }
        defer { handle.cancel() }
        var response: Response
        do {
            response = try await collect(request, handle: handle, renderer: renderer)
        } catch let error as OpenAIError {
            response = OpenAIErrorMiddleware<BasicRequestContext>.response(error)
        }
        response.headers[.connection] = "close"
        return response
    }

    /// Waits for the whole reply, cancelling it if the client goes away meanwhile.
    private func collect(_ request: Request, handle: GenerationHandle, renderer: some ReplyRenderer) async throws -> Response {
        try await request.body.consumeWithInboundCloseHandler { _ in
            var text = ""
            var logprobs: [ChosenTokenLogprob] = []
            for await event in handle.events {
                switch event {
                case .text(let piece, let pieceLogprobs):
                    text += piece
                    logprobs += pieceLogprobs
                case .finished(let outcome):
                    return renderer.body(text: text, logprobs: logprobs, outcome: outcome)
                case .failed(let error):
                    throw error
                }
            }
            throw CancellationError()
        } onInboundClosed: {
            handle.cancel()
        }
    }

    private func stream(_ request: Request, handle: GenerationHandle, renderer: some ReplyRenderer,
                        includeUsage: Bool) -> Response {
        let body = ResponseBody { writer in
            defer { handle.cancel() }  // whatever ends the stream (a failed write included) stops the generation
            try await request.body.consumeWithInboundCloseHandler { _ in
                if let opening = renderer.opening() { try await writer.write(opening) }
                for await event in handle.events {
                    switch event {
                    case .text(let text, let logprobs):
                        try await writer.write(renderer.chunk(text: text, logprobs: logprobs))
                    case .finished(let outcome):
                        guard outcome.finish != .cancelled else { return }
                        try await writer.write(renderer.finalChunk(outcome))
                        if includeUsage { try await writer.write(renderer.usageChunk(outcome)) }
                        try await writer.write(ServerSentEvents.done)
                    case .failed(let error):
                        // Headers are out already: the error goes in the stream, as OpenAI sends it.
                        try await writer.write(ServerSentEvents.event(error.body))
                    }
                }
            } onInboundClosed: {
                handle.cancel()
            }
            try await writer.finish(nil)
        }
        var headers = ServerSentEvents.headers
        headers[.connection] = "close"
        return Response(status: .ok, headers: headers, body: body)
    }
}
