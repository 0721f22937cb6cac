import CBLAS
import Foundation

/// How to load a model.
public struct LoadOptions: Sendable {
    /// Tokens the latent KV cache can hold (capped at the config's max_position_embeddings).
    public var contextSize = 4096
    /// Worker threads; 0 means all cores.
    public var threads = 0
    /// Quantize the projections and lm_head while loading (nil: run in the stored dtype).
    public var quantization: QuantFormat? = nil
    /// q8/q4 weights: prefill quantizes the tokens to int8 and multiplies integers (true, the default);
    /// false keeps float32 tokens in batched products (slower; for comparing the two).
    public var int8Tokens = true
    /// The lm_head's format when quantizing at load (nil: the same as `quantization`); for measuring
    /// what the output projection's precision costs.
    var lmHeadQuantization: QuantFormat? = nil

    public init() {}
}

/// A DeepSeek-V2/V3 family language model (MLA attention + DeepSeekMoE) running on the CPU from a
/// Hugging Face model folder. Weights stay memory-mapped in their stored dtype.
///
/// Not thread-safe: one caller drives it (the matrix products use all workers internally).
public final class DeepSeekModel {
    public let config: ModelConfig
    public let folder: String
    /// Tokens the cache can hold.
    public let contextSize: Int
    /// The format large matrices were quantized to while loading, if any.
    public let quantization: QuantFormat?
    /// The format of a folder written by `seek quantize`, if it is one.
    public var storedQuantization: QuantFormat? { store.quantizationTag.flatMap(QuantFormat.init(rawValue:)) }
    /// How the large matrices are held, for reports: "q4 (quantized file)", "q8 (quantized at load)" or
    /// "stored dtype".
    public var weightFormatDescription: String {
        if let stored = storedQuantization { return "\(stored.rawValue) (quantized file)" }
        if let quantization { return "\(quantization.rawValue) (quantized at load)" }
        return "stored dtype"
    }

    private let store: TensorStore
    private let arena: WeightArena
    private let rearranged: WeightArena
    private let embedding: WeightMatrix
    private let layers: [DecoderLayer]
    private let finalNorm: [Float]
    private let lmHead: WeightMatrix
    private let cache: LatentKVCache

    /// Tokens already in the latent KV cache (the position of the next token).
    public var cachedTokens: Int { cache.count }

    /// Loads config.json and the safetensors weights of `folder`, validating every tensor.
    public static func load(folder: String, options: LoadOptions = .init()) throws -> DeepSeekModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SeekError("\(folder): no such model folder")
        }
        let configPath = (folder as NSString).appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw SeekError("\(folder): no config.json (not a Hugging Face model folder)")
        }
        let config = try ModelConfig.load(path: configPath)
        let store = try TensorStore(folder: folder)
        if options.quantization == nil { store.adviseWillNeed() }  // read-ahead while we bind
        return try DeepSeekModel(config: config, store: store, folder: folder, options: options)
    }

    init(config: ModelConfig, store: TensorStore, folder: String, options: LoadOptions) throws {
        self.config = config
        self.store = store
        self.folder = folder
        self.quantization = options.quantization
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        Parallel.threads = threads
        // seek splits the work across its own workers and calls OpenBLAS single-threaded inside them:
        // two thread pools spinning on two cores would starve each other.
        openblas_set_num_threads(1)

        var binding = WeightBinding(store: store, config: config)
        binding.quantization = options.quantization
        binding.int8Tokens = options.int8Tokens
        binding.lmHeadQuantization = options.lmHeadQuantization
        arena = binding.arena
        rearranged = binding.rearranged
        let rope = RotaryEmbedding(dim: config.qkRopeHeadDim, theta: config.ropeTheta, yarn: config.ropeScaling)
        embedding = try binding.embedding()
        layers = try (0..<config.numHiddenLayers).map { try binding.layer($0, rope: rope) }
        finalNorm = try binding.finalNorm()
        lmHead = try binding.lmHead()
        guard options.contextSize > 0 else { throw SeekError("context size must be positive, got \(options.contextSize)") }
        contextSize = min(options.contextSize, config.maxPositionEmbeddings)
        cache = LatentKVCache(layers: config.numHiddenLayers, capacity: contextSize, latentDim: config.latentDim)
    }

    /// Appends `tokens` after the cached ones and returns the logits of the last one ([vocab]), or of
    /// every new token ([n * vocab]) with `allLogits`. Several tokens are processed as one batch.
    public func forward(_ tokens: [Int], allLogits: Bool = false) throws -> [Float] {
        guard !tokens.isEmpty else { throw SeekError("forward needs at least one token") }
        if let bad = tokens.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw SeekError("token id \(bad) is outside the vocabulary (0..<\(config.vocabSize))")
        }
        let start = cache.count
        let n = tokens.count
        guard start + n <= contextSize else {
            throw SeekError("context is full: \(start) cached + \(n) new tokens exceed the context size \(contextSize)")
        }
        let dim = config.hiddenSize
        let h = UnsafeMutablePointer<Float>.allocate(capacity: n * dim)
        defer { h.deallocate() }
        for (t, id) in tokens.enumerated() { embedding.convertRows(id, id + 1, into: h + t * dim) }

        for (i, layer) in layers.enumerated() {
            layer(h, count: n, dim: dim, start: start, cache: cache.layer(i), eps: config.rmsNormEps)
        }
        cache.count = start + n

        let first = allLogits ? 0 : n - 1
        let rows = n - first
        let normed = UnsafeMutablePointer<Float>.allocate(capacity: rows * dim)
        defer { normed.deallocate() }
        finalNorm.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                VectorOps.rmsNorm(h + (first + r) * dim, w.baseAddress!, normed + r * dim, count: dim, eps: config.rmsNormEps)
            }
        }
        var logits = [Float](repeating: 0, count: rows * config.vocabSize)
        logits.withUnsafeMutableBufferPointer { out in
            PhaseClock.measure(.lmHead) { lmHead.matmul(normed, out.baseAddress!, count: rows) }
        }
        return logits
    }

    /// Reads every weight page in now (instead of on first use), e.g. before measuring speed.
    public func prefetchWeights() { store.touchAllPages() }

    /// Forgets every cached token from position `length` on (e.g. to rewind a conversation).
    public func truncateCache(to length: Int) {
        cache.count = max(0, min(length, cache.count))
    }

    public func resetCache() { cache.count = 0 }

    /// Bytes the latent cache uses per token (all layers).
    public var cacheBytesPerToken: Int { cache.bytesPerToken }

    /// Bytes of weights quantized while loading (held in memory, not mapped).
    public var quantizedBytes: Int { arena.byteCount }

    /// Bytes of all tensors in the weight files.
    public var weightBytes: Int { store.byteCount }

    /// Weight bytes one decode step reads: every layer's active part plus the lm_head.
    public var activeBytesPerToken: Int {
        layers.reduce(0) { $0 + $1.activeBytesPerToken } + lmHead.byteCount
    }
}
