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
        promptTokens = registry.makeCounter(descriptor: Self.name("prompt_tokens_total", "Prompt tokens computed (not found in a slot's cache)."))
        cachedPromptTokens = registry.makeCounter(descriptor: Self.name("prompt_tokens_cached_total", "Prompt tokens reused from a slot's cache."))
        generatedTokens = registry.makeCounter(descriptor: Self.name("generated_tokens_total", "Tokens generated."))
        slotsBusy = registry.makeGauge(descriptor: Self.name("slots_busy", "Slots running a request."))
        slotsTotal = registry.makeGauge(descriptor: Self.name("slots_total", "Slots (--parallel)."))
        queueLength = registry.makeGauge(descriptor: Self.name("queue_length", "Requests waiting for a slot."))
        tokensPerSecond = registry.makeGauge(descriptor: Self.name("generated_tokens_per_second", "Tokens generated per second over the last 5 seconds, all slots together."))
        forwardPasses = registry.makeCounter(descriptor: Self.name("forward_passes_total", "Batched forward passes."))
        slotsTotal.set(Double(slots))
    }

    /// Counts one answered request.
    public func request(endpoint: String, status: Int) {
        registry.makeCounter(descriptor: Self.name("requests_total", "HTTP requests answered, by endpoint and status."),
                             labels: [("endpoint", endpoint), ("status", String(status))]).increment()
    }

    func finished(_ reason: GenerationFinish) {
        registry.makeCounter(descriptor: Self.name("generations_total", "Generations ended, by finish reason."),
                             labels: [("finish_reason", reason.rawValue)]).increment()
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

    /// "seek_" + `name`, with its help text.
    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "seek", metricName: name, unitName: "", helpText: help)
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
