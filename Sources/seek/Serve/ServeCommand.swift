import ArgumentParser
import Foundation
import Logging
import SeekChat
import SeekEngine
import SeekServer

/// `seek serve`: the model behind an OpenAI-compatible HTTP API, several conversations decoding together.
///
/// Parsed on its own (see `Seek.main`): its --api-key and listening options belong to it alone.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        _superCommandName: "seek",
        abstract: "Serve a model over an OpenAI-compatible HTTP API.",
        discussion: """
            Routes: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, \
            GET /metrics (Prometheus). Requests stream as Server-Sent Events when they ask to. --parallel \
            slots decode together, one forward pass for all of them; more requests wait in a queue, and \
            beyond it get 503. Each slot keeps its KV cache, so a client that resends the conversation \
            computes only the new turn. Ctrl-C (or SIGTERM) stops the server: running replies end with \
            an error event. The key is --api-key, else $SEEK_API_KEY; without one the server answers \
            anyone who can reach it, so it listens on 127.0.0.1 unless --host says otherwise.

            Examples:
              seek serve -m lite --parallel 4
              seek serve -m ~/models/DeepSeek-V2-Lite-Chat --quant q8 --port 9000
              seek --remote http://127.0.0.1:8080 -p "Why is the sky blue?"
            """)

    @OptionGroup(title: "Model") var model: ModelChoice
    @OptionGroup(title: "Model") var registry: RegistryOptions
    @OptionGroup(title: "Model") var runtime: RuntimeOptions

    @Option(help: ArgumentHelp("The address to listen on (127.0.0.1: this machine only).", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on; 0 picks a free one.", valueName: "n"))
    var port = 8080

    @Option(name: [.customLong("parallel"), .customLong("np")], help: ArgumentHelp(
        "Requests decoded together, each in its own slot with its own KV cache.", valueName: "n"))
    var parallel = 1

    @Option(help: ArgumentHelp("Requests that may wait for a free slot; more are answered 503.", valueName: "n"))
    var queue = 8

    @Option(name: .customLong("api-key"), help: ArgumentHelp(
        "Require 'Authorization: Bearer KEY' (default: $SEEK_API_KEY; none when unset).", valueName: "key"))
    var apiKey: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, got \(port)") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
        guard queue >= 0 else { throw ValidationError("--queue must be 0 or more, got \(queue)") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
    }

    /// Every slot reserves a KV cache for the whole context: all of them together (and the workspace)
    /// must fit the machine's memory, checked now rather than by an out-of-memory kill mid-request.
    static func checkSlotMemory(model: DeepSeekModel, slots: Int, physicalBytes: Int = PhysicalMemory.bytes) throws {
        let tokens = CheckedSize.product(model.contextSize, slots)
        let caches = CheckedSize.product(model.cacheBytesPerToken, model.contextSize, slots)
        let needed = caches.flatMap { CheckedSize.sum([$0, model.workspaceBytes]) }
        guard let needed, needed <= physicalBytes else {
            throw ContextError.exceedsMemory(tokens: tokens ?? Int.max, bytes: needed, physicalBytes: physicalBytes)
        }
    }

    func run() throws {
        let server = try CommandFailure.reporting { () -> OpenAIServer in
            let startup = try CommandStartup(registry: registry, model: model, runtime: runtime, sampling: try SamplingOptions.parse([]))
            // Remember a few conversations per slot: one may come back after its slot served others.
            let served = ServedChatModel(loaded: startup.loaded, defaults: startup.settings, conversations: max(16, 4 * parallel))
            try ServeCommand.checkSlotMemory(model: startup.loaded.model, slots: parallel)
            var configuration = ServerConfiguration()
            configuration.host = host
            configuration.port = port
            configuration.apiKey = ServerConfiguration.apiKey(flag: apiKey)
            configuration.scheduler = .init(parallel: parallel, queueLimit: queue)
            if let warning = configuration.bindingWarning { Console.warning(warning) }
            return try OpenAIServer(model: served, predictor: startup.loaded.model, configuration: configuration)
        }
        // Hummingbird's messages (requests with --verbose, else errors only) go to stderr, like all of seek's.
        var logger = Logger(label: "seek.serve", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = runtime.verbose ? .info : .error
        let configuration = server.configuration
        let address = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let failure = ServeRun.serve(server, logger: logger) { port in
            Console.err("listening on http://\(address):\(port) · \(server.configuration.scheduler.parallel) slot(s) · "
                        + "OpenAI API at http://\(address):\(port)/v1 · Ctrl-C stops\n")
        }
        if let failure {
            Console.error("cannot serve on \(address):\(configuration.port): \(failure)")
            throw ExitCode.failure
        }
        Console.err("stopped\n")
    }
}

/// Runs the server's async loop from the synchronous command until SIGINT or SIGTERM, which ask it to
/// shut down gracefully.
enum ServeRun {
    /// Returns the error that ended the server, or nil after a signal stopped it.
    static func serve(_ server: OpenAIServer, logger: Logger, onListening: @escaping @Sendable (Int) -> Void) -> (any Error)? {
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let task = Task {
            do { try await server.run(logger: logger, onListening: onListening) } catch { outcome.error = error }
            finished.signal()
        }
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                outcome.stopping = true
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        finished.wait()
        sources.forEach { $0.cancel() }
        if outcome.stopping, outcome.error is CancellationError { return nil }
        return outcome.error
    }

    private final class Outcome: @unchecked Sendable {  // written before `finished` is signalled, read after
        var error: (any Error)?
        var stopping = false
    }
}
