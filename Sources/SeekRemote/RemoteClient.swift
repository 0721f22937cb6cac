import AsyncHTTPClient
import Foundation
import SeekJSON
import NIOCore
import NIOHTTP1

/// A client of any OpenAI-compatible server (seek serve, vLLM, SGLang, llama-server, ollama, OpenAI):
/// streamed chat and text completions and the model list. Failures arrive as `RemoteError`s.
public final class RemoteClient: Sendable {
    public let endpoint: RemoteEndpoint
    private let client: HTTPClient
    /// Seconds to wait for the response head (the server may queue the request and compute the prompt).
    private let responseTimeout: Int64

    /// `connectTimeout`: seconds to open the connection; `readTimeout`: longest silence inside a stream.
    public init(endpoint: RemoteEndpoint, connectTimeout: Int64 = 10, responseTimeout: Int64 = 600, readTimeout: Int64 = 600) {
        self.endpoint = endpoint
        self.responseTimeout = responseTimeout
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(connectTimeout), read: .seconds(readTimeout))
        configuration.decompression = .enabled(limit: .ratio(20))
        // One attempt: a refused connection is reported at once instead of retried until the connect
        // timeout (the command line's user is waiting, and a server that is down stays down).
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connections. Call once when done.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// `GET /models`.
    public func models() async throws -> [RemoteModel] {
        let url = endpoint.url("/models")
        do {
            let response = try await client.execute(request(url, method: .GET), timeout: .seconds(responseTimeout))
            let body = try await response.body.collect(upTo: 8 << 20)
            let bytes = Array(body.readableBytesView)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw RemoteError.status(Int(response.status.code), body: bytes, retryAfter: response.headers.first(name: "Retry-After"))
            }
            do {
                return try JSONValueDecoder().decode(ModelListBody.self, from: bytes).data
            } catch {
                throw RemoteError.malformedStream("\(url) did not answer with a model list")
            }
        } catch {
            throw Self.remoteError(error, url: url)
        }
    }

    /// `POST /chat/completions` with `stream: true`.
    public func streamChat(model: String?, messages: [RemoteMessage], sampling: RemoteSampling) -> AsyncThrowingStream<RemoteEvent, any Error> {
        stream(route: "/chat/completions", body: StreamRequestBody(model: model, messages: messages, sampling: sampling))
    }

    /// `POST /completions` with `stream: true` (raw text, no chat template).
    public func streamCompletion(model: String?, prompt: String, sampling: RemoteSampling) -> AsyncThrowingStream<RemoteEvent, any Error> {
        stream(route: "/completions", body: StreamRequestBody(model: model, prompt: prompt, sampling: sampling))
    }

    private func request(_ url: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "seek")
        if let key = endpoint.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        return request
    }

    private func stream(route: String, body: StreamRequestBody) -> AsyncThrowingStream<RemoteEvent, any Error> {
        let url = endpoint.url(route)
        var request = request(url, method: .POST)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        // The body holds strings and numbers the caller checked: nothing that cannot be written.
        let encoded = (try? JSONWriter.compact.string(try JSONValueEncoder().encode(body))) ?? "{}"
        request.body = .bytes(ByteBuffer(string: encoded))
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: RemoteEvent.self)
        let task = Task { [client, responseTimeout, request] in
            do {
                let response = try await client.execute(request, timeout: .seconds(responseTimeout))
                guard (200..<300).contains(Int(response.status.code)) else {
                    let bytes = (try? await response.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
                    throw RemoteError.status(Int(response.status.code), body: bytes,
                                             retryAfter: response.headers.first(name: "Retry-After"))
                }
                let type = response.headers.first(name: "Content-Type") ?? "text/event-stream"
                guard type.lowercased().contains("event-stream") else {
                    let bytes = (try? await response.body.collect(upTo: 1 << 16)).map { Array($0.readableBytesView) } ?? []
                    let start = String(decoding: bytes.prefix(60), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
                    throw RemoteError.malformedStream("expected text/event-stream, got \(type): \(start)")
                }
                var parser = ServerSentEventParser()
                var decoder = StreamChunkDecoder()
                do {
                    reading: for try await buffer in response.body {
                        for event in parser.feed(buffer.readableBytesView) {
                            for output in try decoder.decode(event) { continuation.yield(output) }
                            if decoder.isDone { break reading }
                        }
                    }
                } catch let error as RemoteError {
                    throw error
                } catch {
                    if Task.isCancelled { throw RemoteError.cancelled }
                    if Self.isTimeout(error) { throw RemoteError.timedOut(url: url) }
                        throw RemoteError.truncatedStream  // the connection broke mid-stream
                }
                // A last event without its blank line counts when it is whole; a cut one means truncation.
                if !decoder.isDone, parser.hasPendingEvent {
                    do {
                        for event in parser.feed([0x0A, 0x0A]) {
                            for output in try decoder.decode(event) { continuation.yield(output) }
                        }
                    } catch RemoteError.malformedStream {
                        throw RemoteError.truncatedStream
                    }
                }
                guard decoder.isDone || decoder.sawFinish else { throw RemoteError.truncatedStream }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Task.isCancelled ? RemoteError.cancelled : Self.remoteError(error, url: url))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    static func remoteError(_ error: any Error, url: String) -> RemoteError {
        if let error = error as? RemoteError { return error }
        if error is CancellationError { return .cancelled }
        if let error = error as? HTTPClientError, error == .cancelled { return .cancelled }
        if isTimeout(error) { return .timedOut(url: url) }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") || text.contains("errno: 111") || text.contains("ECONNREFUSED") {
            return .connectionRefused(url: url)
        }
        return .cannotConnect(url: url, reason: text)
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error)
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return String(describing: error).localizedCaseInsensitiveContains("timeout")
    }
}
