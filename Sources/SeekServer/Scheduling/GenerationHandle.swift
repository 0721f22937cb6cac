import Foundation

/// A submitted request as its HTTP handler sees it: the events it produces, and a way to cancel it
/// (the client went away). Cancelling frees its slot before the scheduler's next forward pass.
public final class GenerationHandle: Sendable {
    public let events: AsyncStream<GenerationEvent>
    let continuation: AsyncStream<GenerationEvent>.Continuation
    private let cancelled = LockedFlag()
    let arrival = ContinuousClock.now

    init() {
        (events, continuation) = AsyncStream.makeStream(of: GenerationEvent.self)
        continuation.onTermination = { [cancelled] _ in cancelled.set() }  // nobody listens any more
    }

    public func cancel() { cancelled.set() }

    public var isCancelled: Bool { cancelled.value }

    func send(_ event: GenerationEvent) {
        continuation.yield(event)
        switch event {
        case .finished, .failed: continuation.finish()
        case .text: break
        }
    }
}

/// A Bool that several threads read and set.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
