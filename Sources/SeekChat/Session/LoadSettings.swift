import SeekEngine

/// How a front end wants a model loaded. Unset values fall back to the registry entry's, then to the
/// engine's defaults.
public struct LoadSettings: Sendable, Equatable {
    /// Tokens of context (KV cache) to allocate; nil: the entry's, else 4,096. Capped at the model's
    /// positions, with a warning when it was asked for here.
    public var contextSize: Int?
    /// Worker threads; nil or 0: all cores.
    public var threads: Int?
    /// Quantize the weights while loading; nil: the entry's, else the stored dtype.
    public var quantization: QuantFormat?

    public init(contextSize: Int? = nil, threads: Int? = nil, quantization: QuantFormat? = nil) {
        self.contextSize = contextSize
        self.threads = threads
        self.quantization = quantization
    }
}
