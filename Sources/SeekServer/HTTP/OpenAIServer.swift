import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import SeekEngine
import ServiceLifecycle

/// `seek serve`: an OpenAI-compatible HTTP server over a `BatchTokenPredictor`.
///
/// Routes: `POST /v1/chat/completions`, `POST /v1/completions`, `GET /v1/models`, `GET /v1/models/{id}`,
/// `GET /health`, `GET /metrics`. Errors have OpenAI's shape and status.
public final class OpenAIServer: Sendable {
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    let scheduler: SlotScheduler
    let model: any ServedModel
    private let started = Date()

    public init(model: any ServedModel, predictor: any BatchTokenPredictor, configuration: ServerConfiguration) throws {
        guard model.contextSize <= predictor.contextSize else {
            throw ServerSetupError.contextLargerThanPredictor(model: model.contextSize, predictor: predictor.contextSize)
        }
        self.configuration = configuration
        self.model = model
        metrics = ServerMetrics(slots: configuration.scheduler.parallel)
        scheduler = try SlotScheduler(predictor: predictor, model: model, configuration: configuration.scheduler, metrics: metrics)
    }

    /// Serves until the calling task is cancelled. Then the scheduler stops first (every running stream
    /// ends with a 503 error event, so nothing keeps the shutdown waiting) and the HTTP server shuts
    /// down gracefully. `onListening` gets the bound port (useful with port 0).
    public func run(logger: Logger = Logger(label: "seek.serve"), onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        scheduler.start()
        var http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
        http1.httpDecoder = .init(maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes,
                                  maxHeaderFieldCount: 200)
        let application = Application(
            router: makeRouter(),
            server: .http1(configuration: http1),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "seek",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let scheduler = self.scheduler
        // The group runs in its own task, so cancelling the caller asks for a graceful shutdown instead
        // of tearing connections down mid-response.
        let serving = Task { try await group.run() }
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                Task {
                    await scheduler.shutdown()
                    await group.triggerGracefulShutdown()
                }
            }
        } catch {
            await scheduler.shutdown()
            throw error
        }
        await scheduler.shutdown()
    }

    func makeRouter() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router(context: BasicRequestContext.self)
        router.add(middleware: OpenAIErrorMiddleware(maxBodyBytes: configuration.maxBodyBytes, metrics: metrics))
        if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }

        let endpoints = GenerationEndpoints(scheduler: scheduler, validation: RequestValidation(model: model),
                                            configuration: configuration)
        router.post("/v1/chat/completions") { request, _ in try await endpoints.chat(request) }
        router.post("/v1/completions") { request, _ in try await endpoints.completion(request) }
        let listing = modelList()
        router.get("/v1/models") { _, _ in JSONCoding.response(listing) }
        router.get("/v1/models/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard let entry = listing.data.first(where: { $0.id == id }) else {
                throw OpenAIError.unknownModel(id, served: listing.data[0].id)
            }
            return JSONCoding.response(entry)
        }
        let scheduler = self.scheduler
        router.get("/health") { _, _ in
            let (busy, queued) = scheduler.occupancy
            return JSONCoding.response(Health(status: "ok", slotsBusy: busy, slotsTotal: scheduler.configuration.parallel,
                                              queueLength: queued, queueLimit: scheduler.configuration.queueLimit))
        }
        let metrics = self.metrics
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        return router
    }

    private func modelList() -> ModelList {
        ModelList(data: [.init(id: model.name, created: Int(started.timeIntervalSince1970), ownedBy: "seek",
                               maxModelLen: model.contextSize)])
    }

    struct Health: Encodable {
        var status: String
        var slotsBusy: Int
        var slotsTotal: Int
        var queueLength: Int
        var queueLimit: Int

        enum CodingKeys: String, CodingKey {
            case status, slotsBusy = "slots_busy", slotsTotal = "slots_total", queueLength = "queue_length"
            case queueLimit = "queue_limit"
        }
    }
}
