import Foundation
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`): requests by endpoint and status, tokens, the
/// generation speed of the last few seconds, busy slots and queue length.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let promptTokens: Counter
    private let cachedPromptTokens: Counter
    private let generatedTokens: Counter
    private let slotsBusy: Gauge
    private let slotsTotal: Gauge
    private let queueLength: Gauge
    private let tokensPerSecond: Gauge
    private let forwardPasses: Counter
    private let speed = SpeedWindow(seconds: 5)

    public init(slots: Int) {
        promptTokens = registry.makeCounter(name: "seek_prompt_tokens_total", help: "Prompt tokens computed (not found in a slot's cache).")
        cachedPromptTokens = registry.makeCounter(name: "seek_prompt_tokens_cached_total", help: "Prompt tokens reused from a slot's cache.")
        generatedTokens = registry.makeCounter(name: "seek_generated_tokens_total", help: "Tokens generated.")
        slotsBusy = registry.makeGauge(name: "seek_slots_busy", help: "Slots running a request.")
        slotsTotal = registry.makeGauge(name: "seek_slots_total", help: "Slots (--parallel).")
        queueLength = registry.makeGauge(name: "seek_queue_length", help: "Requests waiting for a slot.")
        tokensPerSecond = registry.makeGauge(name: "seek_generated_tokens_per_second", help: "Tokens generated per second over the last 5 seconds, all slots together.")
        forwardPasses = registry.makeCounter(name: "seek_forward_passes_total", help: "Batched forward passes.")
        slotsTotal.set(Double(slots))
    }

    /// Counts one answered request.
    public func request(endpoint: String, status: Int) {
        registry.makeCounter(name: "seek_requests_total", labels: [("endpoint", endpoint), ("status", String(status))],
                             help: "HTTP requests answered, by endpoint and status.").increment()
    }

    func finished(_ reason: GenerationFinish) {
        registry.makeCounter(name: "seek_generations_total", labels: [("finish_reason", reason.rawValue)],
                             help: "Generations ended, by finish reason.").increment()
    }

    func occupancy(busy: Int, queued: Int) {
        slotsBusy.set(Double(busy))
        queueLength.set(Double(queued))
    }

    func prompt(computed: Int, cached: Int) {
        promptTokens.increment(by: Int64(computed))
        cachedPromptTokens.increment(by: Int64(cached))
    }

    func step(generated: Int) {
        forwardPasses.increment()
        generatedTokens.increment(by: Int64(generated))
        tokensPerSecond.set(speed.add(generated))
    }

    /// The exposition text.
    public func render() -> String {
        tokensPerSecond.set(speed.add(0))
        return registry.emitToString()
    }
}

/// Tokens per second over a sliding window.
final class SpeedWindow: @unchecked Sendable {
    private let lock = NSLock()
    private let seconds: Double
    private var samples: [(time: ContinuousClock.Instant, tokens: Int)] = []

    init(seconds: Double) { self.seconds = seconds }

    /// Records `tokens` now and returns the rate over the window.
    func add(_ tokens: Int) -> Double {
        lock.withLock {
            let now = ContinuousClock.now
            if tokens > 0 { samples.append((now, tokens)) }
            samples.removeAll { now - $0.time > .seconds(seconds) }
            let total = samples.reduce(0) { $0 + $1.tokens }
            return Double(total) / seconds
        }
    }
}
