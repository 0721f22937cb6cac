import Foundation
import SeekEngine

/// A one-line progress display on stderr for loading and quantizing ("loading lite: layer 12 of 27,
/// 44 %, 3.2 s"; "quantizing lite: 1.2 GB of 31.4 GB, 4 %, 2.0 s"), redrawn in place at most ten times a second. Shown only when stderr is a terminal;
/// otherwise it stays silent, so logs and pipes get no carriage returns.
final class ProgressDisplay: @unchecked Sendable {  // the engine calls it from its loading thread; a lock guards it
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let lock = NSLock()

    init(_ label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.enabled = enabled
    }

    /// The handler to give the engine (nil when the display is off, so the engine skips the calls).
    var handler: ProgressHandler? {
        guard enabled else { return nil }
        return { [self] progress in update(progress) }
    }

    func update(_ progress: LoadProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard progress.done >= progress.total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        drawn = true
        Console.err("\r\u{1B}[K" + ProgressDisplay.line(label, progress, seconds: now.timeIntervalSince(start)))
    }

    /// Clears the line, so what is printed next starts on a clean one.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { Console.err("\r\u{1B}[K") }
        drawn = false
    }

    static func line(_ label: String, _ progress: LoadProgress, seconds: Double) -> String {
        let amount: String
        switch progress.unit {
        case .layers: amount = "layer \(progress.done) of \(progress.total)"
        case .bytes: amount = "\(Table.gigabytes(progress.done)) of \(Table.gigabytes(progress.total))"
        }
        let stage = progress.stage == .quantizing ? "quantizing" : "loading"
        return String(format: "%@ %@: %@, %.0f %%, %.1f s", stage, label, amount, progress.fraction * 100, seconds)
    }
}
