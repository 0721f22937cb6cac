import Foundation
import SeekEngine

/// Runs requests on `parallel` slots with continuous batching: each step gathers the next token of
/// every decoding slot, plus a chunk of one or more joining prompts, into one `forward` call, so the
/// weights are read once per step for all of them. A request joins between steps; its prompt is
/// computed in chunks so the running streams keep flowing. Each slot keeps its cache and reuses the
/// longest common prefix with the next request it gets (a chat client resending the conversation
/// computes only the new turn). Beyond the slots, a bounded queue; beyond that, 503.
///
/// All model work happens on one thread the scheduler owns; other threads only submit and cancel.
public final class SlotScheduler: @unchecked Sendable {  // shared state is guarded by `condition`
    public struct Configuration: Sendable {
        /// Sequences decoded together (`--parallel`).
        public var parallel = 1
        /// Requests that may wait for a slot; more are answered 503.
        public var queueLimit = 8
        /// Prompt tokens per step while other slots decode: small, so their streams keep flowing.
        public var interleavedPrefillChunk = 64
        /// Prompt tokens per step when no slot decodes.
        public var prefillChunk = 512
        /// The `Retry-After` of a 503.
        public var retryAfterSeconds = 2

        public init(parallel: Int = 1, queueLimit: Int = 8) {
            self.parallel = parallel
            self.queueLimit = queueLimit
        }
    }

    public let configuration: Configuration
    private let predictor: any BatchTokenPredictor
    private let model: any ServedModel
    private let metrics: ServerMetrics?
    private let slots: [Slot]

    private let condition = NSCondition()
    private var waiting: [Job] = []
    private var busy = 0
    private var stopping = false
    private var started = false
    private var released = false
    private let exited = DispatchSemaphore(value: 0)

    public init(predictor: any BatchTokenPredictor, model: any ServedModel, configuration: Configuration,
                metrics: ServerMetrics? = nil) throws {
        precondition(configuration.parallel >= 1 && configuration.queueLimit >= 0)
        self.predictor = predictor
        self.model = model
        self.configuration = configuration
        self.metrics = metrics
        var slots: [Slot] = []
        for index in 0..<configuration.parallel {
            slots.append(Slot(index: index, sequence: try predictor.makeSequence()))
        }
        self.slots = slots
    }

    deinit { stop() }

    /// Starts the scheduling thread.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "seek-scheduler"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Fails whatever runs or waits, stops the thread and frees the sequences. Idempotent.
    public func stop() {
        condition.lock()
        let wasRunning = started && !stopping
        stopping = true
        condition.broadcast()
        condition.unlock()
        if wasRunning { exited.wait() }
        condition.lock()
        defer { condition.unlock() }
        guard !released else { return }
        released = true
        for job in waiting { job.handle.send(.failed(Self.shuttingDown)) }
        waiting.removeAll()
        for slot in slots { predictor.releaseSequence(slot.sequence) }
    }

    /// `stop()` without blocking a task's thread while the current forward pass finishes.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.stop()
                continuation.resume()
            }
        }
    }

    /// Queues a request. Throws a 503 (with Retry-After) when every slot and the queue are full.
    public func submit(_ request: GenerationRequest) throws -> GenerationHandle {
        let handle = GenerationHandle()
        let job = Job(request: request, handle: handle, decoder: ReplyDecoder(request: request, model: model))
        condition.lock()
        defer { condition.unlock() }
        if stopping { throw Self.shuttingDown }
        waiting.removeAll { $0.handle.isCancelled }
        guard busy + waiting.count < configuration.parallel + configuration.queueLimit else {
            throw OpenAIError.overloaded(retryAfter: configuration.retryAfterSeconds)
        }
        waiting.append(job)
        metrics?.occupancy(busy: busy, queued: waiting.count)
        condition.signal()
        return handle
    }

    /// Slots running a request and requests waiting, now.
    public var occupancy: (busy: Int, queued: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (busy, waiting.count)
    }

    static let shuttingDown = OpenAIError(status: 503, message: "The server is shutting down.", type: "server_error",
                                          code: "shutting_down", retryAfter: 1)

    // MARK: - The scheduling thread

    private func run() {
        while true {
            condition.lock()
            while !stopping && waiting.isEmpty && busy == 0 { condition.wait() }
            if stopping {
                condition.unlock()
                break
            }
            var admitted: [Job] = []
            let free = slots.count - busy
            while admitted.count < free, !waiting.isEmpty {
                let job = waiting.removeFirst()
                if job.handle.isCancelled { continue }
                admitted.append(job)
            }
            busy += admitted.count
            condition.unlock()

            for job in admitted { assign(job) }
            dropCancelled()
            step()
            condition.lock()
            metrics?.occupancy(busy: busy, queued: waiting.count)
            condition.unlock()
        }
        for slot in slots where !slot.isIdle { fail(slot, with: Self.shuttingDown) }
        exited.signal()
    }

    /// Puts a job on the idle slot whose cache shares most of its prompt and rewinds that cache to the
    /// shared part (keeping the prompt's last token out: its logits are what the first sample needs).
    private func assign(_ job: Job) {
        let prompt = job.request.promptIds
        guard let slot = Slot.best(for: prompt, among: slots) else {
            preconditionFailure("a job was admitted without an idle slot")
        }
        var common = min(slot.commonPrefixLength(with: prompt), prompt.count - 1)
        if predictor.cachedTokens(of: slot.sequence) != slot.cachedIds.count { common = 0 }  // out of step: trust nothing
        predictor.truncate(slot.sequence, to: common)
        slot.cachedIds.removeSubrange(common...)
        job.cachedTokens = common
        job.admitted = .now
        slot.job = job
        slot.phase = .prefilling(position: common)
        metrics?.prompt(computed: prompt.count - common, cached: common)
    }

    private func dropCancelled() {
        for slot in slots {
            guard let job = slot.job, job.handle.isCancelled else { continue }
            _ = job.decoder.finish(.cancelled)
            complete(slot, .cancelled)
        }
    }

    /// One batched forward pass over every busy slot, then sampling for those whose row is a prediction.
    private func step() {
        var steps: [SequenceStep] = []
        var members: [Slot] = []
        for slot in slots {
            if case .decoding(let token) = slot.phase {
                steps.append(SequenceStep(sequence: slot.sequence, tokens: [token]))
                members.append(slot)
            }
        }
        var budget = steps.isEmpty ? configuration.prefillChunk : configuration.interleavedPrefillChunk
        let prefilling = slots.filter { slot in
            if case .prefilling = slot.phase { return true }
            return false
        }.sorted { ($0.job?.admitted ?? .now) < ($1.job?.admitted ?? .now) }
        for slot in prefilling where budget > 0 {
            guard case .prefilling(let position) = slot.phase, let job = slot.job else { continue }
            let prompt = job.request.promptIds
            let end = min(position + budget, prompt.count)
            steps.append(SequenceStep(sequence: slot.sequence, tokens: Array(prompt[position..<end])))
            members.append(slot)
            budget -= end - position
        }
        guard !steps.isEmpty else { return }

        let rows: [[Float]]
        do {
            rows = try predictor.forward(steps)
            guard rows.count == steps.count else {
                throw OpenAIError.internalError("the model returned \(rows.count) logits rows for \(steps.count) sequences")
            }
        } catch {
            let failure = (error as? OpenAIError) ?? .internalError("the model failed: \(error)")
            for slot in members { fail(slot, with: failure) }
            return
        }

        var sampled = 0
        for (index, slot) in members.enumerated() {
            guard let job = slot.job else { continue }
            slot.cachedIds += steps[index].tokens
            if case .prefilling(let position) = slot.phase {
                let next = position + steps[index].tokens.count
                if next < job.request.promptIds.count {
                    slot.phase = .prefilling(position: next)
                    continue
                }
            }
            if sample(slot, job: job, logits: rows[index]) { sampled += 1 }
        }
        metrics?.step(generated: sampled)
    }

    /// Samples the slot's next token and sends its text; returns whether a token was generated.
    private func sample(_ slot: Slot, job: Job, logits: [Float]) -> Bool {
        if job.handle.isCancelled {
            complete(slot, .cancelled)
            return false
        }
        let before = job.decoder.generated
        var step = job.decoder.next(logits: logits)
        let now = ContinuousClock.now
        if job.firstToken == nil { job.firstToken = now }
        job.lastToken = now
        if step.finish == nil, slot.cachedIds.count >= predictor.contextSize {
            let end = job.decoder.finish(.length)
            step.text += end.text
            step.logprobs += end.logprobs
            step.finish = .length
        }
        if !step.text.isEmpty || !step.logprobs.isEmpty {
            job.sentText += step.text
            job.handle.send(.text(step.text, logprobs: step.logprobs))
        }
        if let finish = step.finish {
            complete(slot, finish)
        } else {
            slot.phase = .decoding(nextToken: step.token)
        }
        return job.decoder.generated > before
    }

    private func complete(_ slot: Slot, _ finish: GenerationFinish) {
        guard let job = slot.job else { return }
        let now = ContinuousClock.now
        let admitted = job.admitted ?? now
        let first = job.firstToken ?? now
        let prompt = job.request.promptIds.count
        let timings = Timings(cacheN: job.cachedTokens, promptN: prompt - job.cachedTokens,
                              promptMs: Self.milliseconds(admitted, first), predictedN: job.decoder.generated,
                              predictedMs: Self.milliseconds(first, job.lastToken ?? first),
                              timeToFirstTokenMs: Self.milliseconds(job.handle.arrival, first),
                              queueMs: Self.milliseconds(job.handle.arrival, admitted))
        var outcome = GenerationOutcome(finish: finish, promptTokens: prompt, cachedTokens: job.cachedTokens,
                                        completionTokens: job.decoder.generated, timings: timings)
        outcome.promptTokenIds = job.request.promptIds
        outcome.completionTokenIds = job.decoder.replyIds
        job.request.onReply?(job.decoder.replyIds, job.sentText)  // before the client can send its next turn
        job.handle.send(.finished(outcome))
        metrics?.finished(finish)
        release(slot)
    }

    /// Ends the slot's request with an error; its cache is in an unknown state, so it is emptied.
    private func fail(_ slot: Slot, with error: OpenAIError) {
        slot.job?.handle.send(.failed(error))
        predictor.truncate(slot.sequence, to: 0)
        slot.cachedIds.removeAll()
        release(slot)
    }

    private func release(_ slot: Slot) {
        slot.job = nil
        slot.phase = .idle
        slot.lastUsed = .now
        condition.lock()
        busy -= 1
        condition.unlock()
    }

    private static func milliseconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
        let parts = from.duration(to: to).components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) * 1e-15
    }
}
