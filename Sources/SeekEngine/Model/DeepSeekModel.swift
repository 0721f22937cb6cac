import Foundation

/// How to load a model.
public struct LoadOptions: Sendable {
    /// Tokens the latent KV cache can hold (capped at the config's max_position_embeddings).
    public var contextSize = 4096
    /// Worker threads; 0 means all cores.
    public var threads = 0
    /// Quantize the projections and lm_head while loading (nil: run in the stored dtype).
    public var quantization: QuantFormat? = nil
    /// Tokens one forward pass computes together (all sequences of a batch counted); the activation
    /// workspace is sized for this many, and a longer call is split into passes of this size.
    public var batchSize = 512
    /// Hears each layer bound (and quantized): for a front end's progress display.
    public var progress: ProgressHandler? = nil
    /// Most bytes the KV cache and workspace may take (nil: the machine's physical memory). A context
    /// that needs more is an error at load.
    public var memoryLimit: Int? = nil
    /// q8/q4 weights: prefill quantizes the tokens to int8 and multiplies integers (true, the default);
    /// false keeps float32 tokens in batched products (slower; for comparing the two).
    public var int8Tokens = true
    /// The lm_head's format when quantizing at load (nil: the same as `quantization`); for measuring
    /// what the output projection's precision costs.
    var lmHeadQuantization: QuantFormat? = nil
    /// Copy the matrices every token reads (projections, experts, lm_head) from the mapped files into
    /// huge-page memory at load (llama.cpp's --no-mmap): a slower start and unshared pages, for faster
    /// reads (see WeightArena). Embeddings and the small per-head matrices stay mapped.
    public var copyWeights = false
    /// The KV cache's format (nil: `LatentCacheFormat.standard`, bf16 for quantized weights).
    public var cacheFormat: LatentCacheFormat? = nil

    public init() {}
}

/// A DeepSeek-V2/V3 family language model (MLA attention + DeepSeekMoE) running on the CPU from a
/// Hugging Face model folder. Weights stay memory-mapped in their stored dtype.
///
/// It holds one KV cache per sequence: the single-sequence API (`forward(_:allLogits:)`,
/// `truncateCache`, `removeCachedTokens`) drives a default sequence, and `BatchTokenPredictor` decodes
/// several sequences in one forward pass.
///
/// Not thread-safe: one caller drives it (the matrix products use all workers internally).
public final class DeepSeekModel {
    public let config: ModelConfig
    public let folder: String
    /// Tokens the cache can hold.
    public let contextSize: Int
    /// The format large matrices were quantized to while loading, if any.
    public let quantization: QuantFormat?
    /// Whether the matrices every token reads were copied into memory at load (LoadOptions.copyWeights).
    public let weightsCopied: Bool
    /// How the KV cache holds its values.
    public let cacheFormat: LatentCacheFormat
    /// The format of a folder written by `seek quantize`, if it is one.
    public var storedQuantization: QuantFormat? { store.quantizationTag.flatMap(QuantFormat.init(rawValue:)) }
    /// How the large matrices are held, for reports: "q4 (quantized file)", "q8 (quantized at load)" or
    /// "stored dtype".
    public var weightFormatDescription: String {
        if let stored = storedQuantization { return "\(stored.rawValue) (quantized file)" }
        if let quantization { return "\(quantization.rawValue) (quantized at load)" }
        return "stored dtype"
    }

    /// The workers this model's parallel regions run on (`LoadOptions.threads`).
    public let workerPool: WorkerPool

    private let store: TensorStore
    private let arena: WeightArena
    private let rearranged: WeightArena
    private let embedding: WeightMatrix
    let layers: [DecoderLayer]
    private let finalNorm: [Float]
    private let lmHead: WeightMatrix
    private let rope: RotaryEmbedding
    let workspace: Workspace
    /// Every live sequence's latent cache; `defaultSequence` always exists.
    private var sequences: [SequenceID: LatentKVCache] = [:]
    private let defaultSequence = SequenceID(0)
    private var nextSequence = 1

    /// Tokens already in the default sequence's latent KV cache (the position of its next token).
    public var cachedTokens: Int { sequences[defaultSequence]!.count }

    /// Loads config.json and the safetensors weights of `folder`, validating every tensor.
    public static func load(folder: String, options: LoadOptions = .init()) throws -> DeepSeekModel {
        let modelFolder = ModelFolder(path: folder)
        try modelFolder.check(.weights)
        let config = try ModelConfig.load(path: modelFolder.file("config.json"))
        let store = try TensorStore(folder: folder)
        if options.quantization == nil { store.adviseWillNeed() }  // read-ahead while we bind
        return try DeepSeekModel(config: config, store: store, folder: folder, options: options)
    }

    /// Checks a folder as loading would (config, every tensor's name, shape and dtype, no tensor left
    /// over) without building the model, and probes every float tensor for NaN or infinity at its
    /// first and last values. Cheap: what `seek models` uses to say a folder is loadable.
    public static func verify(folder: String) throws {
        let modelFolder = ModelFolder(path: folder)
        try modelFolder.check(.weights)
        let config = try ModelConfig.load(path: modelFolder.file("config.json"))
        let store = try TensorStore(folder: folder)
        let binding = WeightBinding(store: store, config: config, pool: WorkerPool(threads: 1))
        let rope = RotaryEmbedding(dim: config.qkRopeHeadDim, theta: config.ropeTheta, yarn: config.ropeScaling)
        _ = try binding.embedding()
        for i in 0..<config.numHiddenLayers { _ = try binding.layer(i, rope: rope) }
        _ = try binding.finalNorm()
        _ = try binding.lmHead()
        try binding.requireAllUsed()
        for name in store.names.sorted() { if let t = store[name] { try CheckpointCheck.requireSampleFinite(t) } }
    }

    init(config: ModelConfig, store: TensorStore, folder: String, options: LoadOptions) throws {
        self.config = config
        self.store = store
        self.folder = folder
        self.quantization = options.quantization
        self.weightsCopied = options.copyWeights
        let quantized = options.quantization != nil || store.quantizationTag != nil
        cacheFormat = options.cacheFormat ?? LatentCacheFormat.standard(quantized: quantized)
        guard options.contextSize > 0 else { throw ContextError.invalidSize(options.contextSize) }
        guard options.batchSize > 0 else { throw GenerationError.invalidBatchSize(options.batchSize) }
        workerPool = WorkerPool(threads: options.threads)

        var binding = WeightBinding(store: store, config: config, pool: workerPool)
        binding.quantization = options.quantization
        binding.int8Tokens = options.int8Tokens
        binding.copyWeights = options.copyWeights
        binding.lmHeadQuantization = options.lmHeadQuantization
        arena = binding.arena
        rearranged = binding.rearranged
        let rope = RotaryEmbedding(dim: config.qkRopeHeadDim, theta: config.ropeTheta, yarn: config.ropeScaling)
        self.rope = rope
        embedding = try binding.embedding()
        let layerCount = config.numHiddenLayers
        layers = try (0..<layerCount).map { index in
            let layer = try binding.layer(index, rope: rope)
            options.progress?(LoadProgress(stage: .loading, done: index + 1, total: layerCount, unit: .layers))
            return layer
        }
        finalNorm = try binding.finalNorm()
        lmHead = try binding.lmHead()
        try binding.requireAllUsed()
        contextSize = min(options.contextSize, config.maxPositionEmbeddings)
        workspace = try Workspace(config: config, tokens: options.batchSize, contextSize: contextSize,
                                  threads: workerPool.threads)
        // Both are reserved, not touched; but a context they could never hold is an error now, with
        // the size, rather than an out-of-memory kill later.
        let physical = options.memoryLimit ?? PhysicalMemory.bytes
        let cache = LatentKVCache.bytes(layers: config.numHiddenLayers, capacity: contextSize, latentDim: config.latentDim,
                                        format: cacheFormat)
        let needed = cache.flatMap { CheckedSize.sum([$0, workspace.byteCount]) }
        guard let needed, needed <= physical else {
            throw ContextError.exceedsMemory(tokens: contextSize, bytes: needed, physicalBytes: physical)
        }
        sequences[defaultSequence] = makeCache()
    }

    private func makeCache() -> LatentKVCache {
        LatentKVCache(layers: config.numHiddenLayers, capacity: contextSize, latentDim: config.latentDim, format: cacheFormat)
    }

    /// Appends `tokens` after the cached ones and returns the logits of the last one ([vocab]), or of
    /// every new token ([n * vocab]) with `allLogits`. Several tokens are processed as one batch.
    public func forward(_ tokens: [Int], allLogits: Bool = false) throws -> [Float] {
        try forward([SequenceStep(sequence: defaultSequence, tokens: tokens, allLogits: allLogits)])[0]
    }

    /// One forward pass over several sequences (see `BatchTokenPredictor.forward`). Everything is
    /// checked before anything is computed, so a bad step leaves every cache as it was.
    public func forward(_ steps: [SequenceStep]) throws -> [[Float]] {
        var caches: [LatentKVCache] = []
        var seen = Set<SequenceID>()
        for step in steps {
            guard let cache = sequences[step.sequence] else {
                throw GenerationError.unknownSequence(step.sequence)
            }
            guard seen.insert(step.sequence).inserted else {
                throw GenerationError.sequenceRepeated(step.sequence)
            }
            guard !step.tokens.isEmpty else { throw GenerationError.noTokens }
            if let bad = step.tokens.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
                throw GenerationError.tokenOutsideVocabulary(id: bad, vocabularySize: config.vocabSize)
            }
            guard cache.count + step.tokens.count <= contextSize else {
                throw ContextError.full(cached: cache.count, adding: step.tokens.count, capacity: contextSize)
            }
            try cache.reserve()
            caches.append(cache)
        }
        // Passes of at most workspace.tokens rows; a step longer than what is left of a pass continues
        // in the next one (after the earlier part is in its cache).
        var results = [[Float]](repeating: [], count: steps.count)
        var pass: [Piece] = []
        var filled = 0
        for (s, step) in steps.enumerated() {
            var first = 0
            while first < step.tokens.count {
                let take = min(step.tokens.count - first, workspace.tokens - filled)
                pass.append(Piece(step: s, first: first, count: take))
                first += take
                filled += take
                if filled == workspace.tokens {
                    run(pass, steps: steps, caches: caches, results: &results)
                    pass.removeAll(keepingCapacity: true)
                    filled = 0
                }
            }
        }
        if !pass.isEmpty { run(pass, steps: steps, caches: caches, results: &results) }
        return results
    }

    /// Tokens first..<first + count of one step, in one pass.
    private struct Piece {
        let step: Int
        let first: Int
        let count: Int
    }

    /// One pass through every layer for the pieces' tokens as rows of one batch.
    private func run(_ pieces: [Piece], steps: [SequenceStep], caches: [LatentKVCache], results: inout [[Float]]) {
        let dim = config.hiddenSize, ws = workspace, h = ws.hidden
        var spans: [SequenceSpan] = []
        var rows = 0
        for piece in pieces {
            let cache = caches[piece.step]
            spans.append(SequenceSpan(row: rows, count: piece.count, position: cache.count, cache: cache))
            for (i, id) in steps[piece.step].tokens[piece.first..<(piece.first + piece.count)].enumerated() {
                embedding.convertRows(id, id + 1, into: h + (rows + i) * dim)
            }
            rows += piece.count
        }
        for (i, layer) in layers.enumerated() {
            layer(h, count: rows, dim: dim, spans: spans, layer: i, eps: config.rmsNormEps, workspace: ws, pool: workerPool)
        }
        for span in spans { span.cache.count += span.count }

        // The rows whose logits are wanted: a step's last token, or all of them with allLogits.
        var logitRows = 0
        var wanted: [Int] = []  // logit rows per piece
        finalNorm.withUnsafeBufferPointer { w in
            for (piece, span) in zip(pieces, spans) {
                let step = steps[piece.step]
                let endsStep = piece.first + piece.count == step.tokens.count
                let from = step.allLogits ? 0 : (endsStep ? piece.count - 1 : piece.count)
                for r in from..<piece.count {
                    VectorOps.rmsNorm(h + (span.row + r) * dim, w.baseAddress!, ws.normed + logitRows * dim,
                                      count: dim, eps: config.rmsNormEps)
                    logitRows += 1
                }
                wanted.append(piece.count - from)
            }
        }
        guard logitRows > 0 else { return }
        let vocab = config.vocabSize
        let logits = [Float](unsafeUninitializedCapacity: logitRows * vocab) { buffer, initialized in
            PhaseClock.measure(.lmHead) {
                lmHead.matmul(ws.normed, buffer.baseAddress!, count: logitRows, pool: workerPool, scratch: ws.tokenScratch)
            }
            initialized = logitRows * vocab
        }
        var offset = 0
        for (piece, count) in zip(pieces, wanted) where count > 0 {
            if count == logitRows && results[piece.step].isEmpty {
                results[piece.step] = logits  // the common case: one step's logits, no copy
            } else {
                results[piece.step] += logits[(offset * vocab)..<((offset + count) * vocab)]
            }
            offset += count
        }
    }

    /// Reads every weight page in now (instead of on first use), e.g. before measuring speed. Weights
    /// copied at load are in already, and their files' pages are not wanted back.
    public func prefetchWeights() {
        if !weightsCopied { store.touchAllPages() }
    }

    /// Forgets every cached token of the default sequence from position `length` on (e.g. to rewind a
    /// conversation).
    public func truncateCache(to length: Int) { truncate(defaultSequence, to: length) }

    public func resetCache() { truncate(defaultSequence, to: 0) }

    /// Context shift without recomputation: drops the default sequence's cached tokens in `range` and
    /// moves the later ones back by its length (see `removeCachedTokens(of:in:)`).
    public func removeCachedTokens(in range: Range<Int>) { removeCachedTokens(of: defaultSequence, in: range) }

    /// Bytes the latent cache uses per token (all layers).
    public var cacheBytesPerToken: Int { config.numHiddenLayers * config.latentDim * cacheFormat.bytesPerValue }

    /// Bytes of the activation workspace (every scratch buffer of a forward pass of `batchSize` tokens;
    /// reserved at load, resident only as far as passes touch it).
    public var workspaceBytes: Int { workspace.byteCount }

    /// Tokens one forward pass computes together.
    public var batchSize: Int { workspace.tokens }

    /// Bytes of weights quantized while loading (held in memory, not mapped).
    public var quantizedBytes: Int { arena.byteCount }

    /// Bytes of all tensors in the weight files.
    public var weightBytes: Int { store.byteCount }

    /// Weight bytes one decode step reads: every layer's active part plus the lm_head.
    public var activeBytesPerToken: Int {
        layers.reduce(0) { $0 + $1.activeBytesPerToken } + lmHead.byteCount
    }
}

extension DeepSeekModel: BatchTokenPredictor {
    public var vocabularySize: Int { config.vocabSize }

    /// A new sequence; its cache is reserved on its first forward pass and touched only as tokens come.
    public func makeSequence() throws -> SequenceID {
        let id = SequenceID(nextSequence)
        nextSequence += 1
        sequences[id] = makeCache()
        return id
    }

    /// Frees the sequence's cache. The default sequence (the single-sequence API's) is only emptied.
    public func releaseSequence(_ sequence: SequenceID) {
        if sequence == defaultSequence { resetCache() } else { sequences[sequence] = nil }
    }

    public func cachedTokens(of sequence: SequenceID) -> Int { sequences[sequence]?.count ?? 0 }

    public func truncate(_ sequence: SequenceID, to length: Int) {
        guard let cache = sequences[sequence] else { return }
        cache.count = max(0, min(length, cache.count))
    }

    /// Drops the sequence's cached tokens in `range` (clamped to what is cached) and moves the later ones
    /// back by its length, without recomputing: each layer's latents are copied down and their rope keys
    /// rotated back by the same number of positions. The next token then continues at the new end,
    /// exactly as if the shortened sequence had been prefilled.
    public func removeCachedTokens(of sequence: SequenceID, in range: Range<Int>) {
        sequences[sequence]?.removeTokens(in: range, rope: rope, cos: workspace.ropeCos, sin: workspace.ropeSin)
    }
}
