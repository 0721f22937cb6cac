import Foundation
import SeekRemote

/// Runs the remote client's async calls from the synchronous command line. The calling thread waits,
/// checking `isCancelled` (a Ctrl-C) every few milliseconds; cancelling stops the request.
enum RemoteBridge {
    /// Consumes `stream`, handing each event to `onEvent` (on another thread, one event at a time, in
    /// order). Throws the stream's error, or `RemoteError.cancelled` when `isCancelled` turned true.
    static func consume(_ stream: AsyncThrowingStream<RemoteEvent, any Error>, isCancelled: () -> Bool = { false },
                        onEvent: @escaping @Sendable (RemoteEvent) -> Void) throws {
        let box = ResultBox<Void>()
        let task = Task {
            do {
                for try await event in stream { onEvent(event) }
                box.finish(.success(()))
            } catch {
                box.finish(.failure(error))
            }
        }
        try box.wait(cancelling: task, isCancelled: isCancelled)
    }

    /// The result of one async call.
    static func run<T: Sendable>(isCancelled: () -> Bool = { false }, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let task = Task {
            do { box.finish(.success(try await body())) } catch { box.finish(.failure(error)) }
        }
        return try box.wait(cancelling: task, isCancelled: isCancelled)
    }

    private final class ResultBox<T>: @unchecked Sendable {  // `result` is guarded by `lock`
        private let lock = NSCondition()
        private var result: Result<T, any Error>?

        func finish(_ value: Result<T, any Error>) {
            lock.lock()
            result = value
            lock.signal()
            lock.unlock()
        }

        /// Waits for the result. Cancelling happens outside the lock: a cancelled stream may finish
        /// (and so call `finish`) from within `task.cancel()`, on this thread.
        func wait(cancelling task: Task<Void, Never>, isCancelled: () -> Bool) throws -> T {
            var cancelled = false
            while true {
                lock.lock()
                if let result {
                    lock.unlock()
                    // A stream stopped by cancelling its consumer just ends: say it was cancelled.
                    if cancelled { throw RemoteError.cancelled }
                    return try result.get()
                }
                _ = lock.wait(until: Date().addingTimeInterval(0.02))
                let done = result != nil
                lock.unlock()
                if !done, !cancelled, isCancelled() {
                    cancelled = true
                    task.cancel()
                }
            }
        }
    }
}
