/// How far a long load or quantization has come, reported through a callback (`LoadOptions.progress`,
/// `ModelQuantizer.quantize`) so that a front end can show it; the engine itself prints nothing.
public struct LoadProgress: Sendable, Equatable {
    public enum Stage: String, Sendable {
        /// Binding the weights (and quantizing them in memory, with `LoadOptions.quantization`).
        case loading
        /// Writing a quantized copy (`seek quantize`, the quantized-model cache).
        case quantizing
    }

    public enum Unit: String, Sendable {
        case layers, bytes
    }

    public var stage: Stage
    public var done: Int
    public var total: Int
    public var unit: Unit

    public init(stage: Stage, done: Int, total: Int, unit: Unit) {
        self.stage = stage
        self.done = done
        self.total = total
        self.unit = unit
    }

    /// done ÷ total, 0…1.
    public var fraction: Double { total > 0 ? min(1, Double(done) / Double(total)) : 1 }
}

/// Hears progress; called on the loading thread, often (keep it cheap).
public typealias ProgressHandler = @Sendable (LoadProgress) -> Void
