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
    /// Where quantized copies are kept between starts (nil: quantize in memory at every load). With a
    /// cache, quantizing a folder of bf16/f16/f32 weights writes it once and later loads map it.
    public var cache: QuantizedModelCache?
    /// With no `quantization` (here or in the entry): pick the most precise weights that fit in memory
    /// (stored, else q8, else q4), as `--quant auto` or the registry's "quant": "auto" ask.
    public var quantizeToFit = false
    /// Bytes of memory the weights may use (nil: MemAvailable plus the page cache they occupy).
    public var availableMemory: Int?
    /// The machine's physical memory as the load's checks see it (the KV cache, the workspace, weights
    /// quantized in memory); nil: the machine's own (`PhysicalMemory`).
    public var memoryLimit: Int?
    /// Copy the weights every token reads into memory instead of reading the mapped files
    /// (LoadOptions.copyWeights; `--no-mmap`); false maps them (`--mmap`); nil copies when they fit in
    /// the memory available (`WeightPlacement`).
    public var copyWeights: Bool?
    /// The KV cache's format; nil: the engine's choice (`LatentCacheFormat.standard`).
    public var cacheFormat: LatentCacheFormat?

    public init(contextSize: Int? = nil, threads: Int? = nil, quantization: QuantFormat? = nil,
                cache: QuantizedModelCache? = nil) {
        self.contextSize = contextSize
        self.threads = threads
        self.quantization = quantization
        self.cache = cache
    }
}
