import Foundation
import SeekKernels

/// Every activation buffer a forward pass uses, sized once per model for a batch of up to `tokens`
/// tokens and reused by every layer and every call (llama2.c's RunState). Shapes are [rows, columns],
/// row-major float32 unless noted.
///
/// The memory is reserved with anonymous mmap and only touched as it is used: decoding one token
/// touches a few hundred KB of it; a full-batch prefill all of it.
final class Workspace {
    /// Tokens one forward pass can hold (a longer one is split into batches of this size).
    let tokens: Int
    /// Bytes of all the buffers below.
    private(set) var byteCount = 0
    private var regions: [(UnsafeMutableRawPointer, Int)] = []

    // The residual stream.
    /// [tokens, dim]: the hidden state of each token.
    let hidden: UnsafeMutablePointer<Float>
    /// [tokens, dim]: RMS-normed input of the block being run.
    let normed: UnsafeMutablePointer<Float>
    /// [tokens, dim]: a block's output before it is added to the residual.
    let delta: UnsafeMutablePointer<Float>

    // Multi-head latent attention.
    /// [tokens, heads * (nope + rope)]: queries.
    let query: UnsafeMutablePointer<Float>
    /// [tokens, q_lora_rank]: the query's low-rank intermediate (empty without q LoRA).
    let queryLowRank: UnsafeMutablePointer<Float>
    /// [tokens, kv_lora_rank + rope]: kv_a_proj_with_mqa's output, before norm and rotation.
    let newLatents: UnsafeMutablePointer<Float>
    /// [rope / 2] each: one position's scaled cos and sin.
    let ropeCos: UnsafeMutablePointer<Float>
    let ropeSin: UnsafeMutablePointer<Float>
    /// [tokens * heads, kv_lora_rank + rope]: queries folded into latent space, [q̃ | q_pe] per row.
    let absorbed: UnsafeMutablePointer<Float>
    /// [tokens * heads, kv_lora_rank]: attention-weighted sums of cached latents.
    let latentOut: UnsafeMutablePointer<Float>
    /// [threads, tokens * nope]: one head's query parts, per worker.
    let headQueries: UnsafeMutablePointer<Float>
    /// [threads, tokens * kv_lora_rank]: one head's latent sums, per worker.
    let headLatents: UnsafeMutablePointer<Float>
    /// [tokens, heads * v_head_dim]: per-head attention outputs, the input of o_proj.
    let attended: UnsafeMutablePointer<Float>

    // Prefill attention in the expanded form (ExpandedPrefillAttention.swift).
    /// Keys expanded at a time and queries per score tile that the buffers below hold (ExpandedPrefill's
    /// block sizes when the workspace was made; smaller ones fit too).
    let expandedKeyBlock: Int
    let expandedQueryBlock: Int
    /// [heads, tokens, nope + rope]: each head's queries, contiguous.
    let expandedQueries: UnsafeMutablePointer<Float>
    /// [heads]: each head's queries split into bf16 parts for the AMX score products, once per call
    /// (`expandedQuerySplit(head:)`); untouched without AMX.
    private let expandedQuerySplits: UnsafeMutableRawPointer
    private let expandedQuerySplitBytes: Int
    /// [heads, tokens, v_head_dim]: the online softmax's running weighted value sums.
    let expandedSums: UnsafeMutablePointer<Float>
    /// [heads, tokens] each: its running maxima and normalisers.
    let expandedMaxima: UnsafeMutablePointer<Float>
    let expandedNormalisers: UnsafeMutablePointer<Float>
    /// [keyBlock, kv_lora_rank]: one key block's latents, contiguous.
    let expandedLatents: UnsafeMutablePointer<Float>
    /// [keyBlock, qk_rope_head_dim]: the same block's rope keys.
    let expandedRopeKeys: UnsafeMutablePointer<Float>
    /// [threads, tile]: each worker's expanded keys and values and its score tile (see ExpandedTile).
    private let expandedTiles: UnsafeMutablePointer<Float>
    private let expandedTileStride: Int
    /// [threads]: each worker's keys, transposed values, query block and probabilities split into bf16
    /// parts for the AMX products (sk_amx_matmul_f32); untouched without AMX.
    private let expandedSplits: UnsafeMutableRawPointer
    private let expandedSplitStride: Int
    private let expandedSplitOffsets: (values: Int, probabilities: Int)
    private let valueDim: Int
    private let qHeadDim: Int

    // Decode attention (LatentDecodeAttention.swift).
    /// [decodeChunks, heads * (2 + kv_lora_rank)]: the online-softmax state over one chunk of cache rows:
    /// running maxima [heads], normalisers [heads], weighted latent sums [heads, kv_lora_rank].
    let decodeStates: UnsafeMutablePointer<Float>
    let decodeStateStride: Int
    /// Chunks a full context's cache rows are cut into (WorkerPool.chunkCount, chunks of at least
    /// `decodeChunkRows`): no state is reserved that no context could use.
    let decodeChunks: Int
    /// [threads, 2 * heads]: one worker's running maxima and normalisers while it attends a query token in
    /// one call (attendTokensOnline; the weighted sums go straight to latentOut).
    private let tokenAttentionStates: UnsafeMutablePointer<Float>
    private let heads: Int
    /// Fewest cache rows a decode attention chunk takes (internal: tests shrink it, before loading, to
    /// cut short contexts into several chunks).
    nonisolated(unsafe) static var decodeChunkRows = 512

    // Quantized weights' integer products (WeightMatrix.int8Tokens).
    /// A batch's tokens quantized to int8 blocks, for a product's input of any width.
    let tokenScratch: TokenScratch
    /// [threads]: one worker's, for the per-head products of attention (up to max(tokens, key block)
    /// rows of kv_lora_rank or nope columns).
    private let headTokenScratches: UnsafeMutableRawPointer
    private let headTokenScratchBytes: Int

    // Feed-forward and mixture of experts.
    /// [gateCapacity] each: gate and up products (tokens x the widest MLP, or every expert of one token).
    let gate: UnsafeMutablePointer<Float>
    let up: UnsafeMutablePointer<Float>
    /// [max(tokens, small batch x (top-k + 1)), dim]: experts' gathered input rows / their outputs (a
    /// small batch: every (token, expert) slot's, then the shared experts' for every token).
    let expertInput: UnsafeMutablePointer<Float>
    let expertOutput: UnsafeMutablePointer<Float>
    /// [tokens, routed experts]: router logits.
    let routerLogits: UnsafeMutablePointer<Float>
    /// The router's per-token scratch (scores, corrected choice scores, group scores, chosen indices).
    let router: Router.Scratch
    /// [tokens * top-k]: each token's chosen experts and their weights.
    let routeExperts: UnsafeMutablePointer<Int32>
    let routeWeights: UnsafeMutablePointer<Float>
    /// [routed experts + 1]: where each expert's tokens start in `slotTokens` / `slotWeights`.
    let expertStarts: UnsafeMutablePointer<Int>
    /// [tokens * top-k]: the (token, weight) pairs grouped by expert.
    let slotTokens: UnsafeMutablePointer<Int32>
    let slotWeights: UnsafeMutablePointer<Float>
    /// [2 * (experts a small batch can use + shared)]: a small batch's expert products.
    let jobs: UnsafeMutablePointer<ProductJob>
    let jobCapacity: Int

    /// Throws `ContextError.exceedsMemory` when a size overflows or cannot be reserved (sizes come from
    /// config.json and flags: every product is checked).
    init(config c: ModelConfig, tokens: Int, contextSize: Int, threads: Int) throws {
        precondition(tokens > 0 && threads > 0)
        self.tokens = tokens
        var regions: [(UnsafeMutableRawPointer, Int)] = []
        var total = 0
        func tooLarge(_ bytes: Int?) -> ContextError {
            for (region, size) in regions { munmap(region, size) }  // init fails: nothing is kept
            regions = []
            return ContextError.exceedsMemory(tokens: contextSize, bytes: bytes, physicalBytes: PhysicalMemory.bytes)
        }
        func n(_ factors: Int...) throws -> Int {
            guard let count = CheckedSize.product(factors) else { throw tooLarge(nil) }
            return count
        }
        func reserve<T>(_ count: Int, _ type: T.Type = T.self) throws -> UnsafeMutablePointer<T> {
            // Each buffer starts at another offset within its page (in steps of a cache line): buffers
            // that all began on a page boundary would share cache sets and stall on 4K aliasing (a load
            // from one row waiting on a store to another with the same low 12 address bits).
            let skew = (regions.count * 64 * 11) % 4096
            let bytes = try n(max(1, count), MemoryLayout<T>.stride)
            guard bytes < Int.max - 2 * 4096, let sum = CheckedSize.sum([total, bytes]) else { throw tooLarge(nil) }
            let length = (skew + bytes + 4095) / 4096 * 4096
            let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
            guard let p, p != MAP_FAILED else { throw tooLarge(sum) }
            regions.append((p, length))
            total = sum
            return (p + skew).bindMemory(to: T.self, capacity: max(1, count))
        }
        let dim = c.hiddenSize, heads = c.numAttentionHeads
        let latentDim = c.latentDim, kvRank = c.kvLoraRank
        hidden = try reserve(try n(tokens, dim))
        normed = try reserve(try n(tokens, dim))
        delta = try reserve(try n(tokens, dim))

        query = try reserve(try n(tokens, heads, c.qHeadDim))
        queryLowRank = try reserve(try n(tokens, (c.qLoraRank ?? 0)))
        newLatents = try reserve(try n(tokens, latentDim))
        ropeCos = try reserve(c.qkRopeHeadDim / 2)
        ropeSin = try reserve(c.qkRopeHeadDim / 2)
        absorbed = try reserve(try n(tokens, heads, latentDim))
        latentOut = try reserve(try n(tokens, heads, kvRank))
        headQueries = try reserve(try n(threads, tokens, c.qkNopeHeadDim))
        headLatents = try reserve(try n(threads, tokens, kvRank))
        attended = try reserve(try n(tokens, heads, c.vHeadDim))

        let keyBlock = max(1, ExpandedPrefill.keyBlock), queryBlock = max(1, ExpandedPrefill.queryBlock)
        expandedKeyBlock = keyBlock
        expandedQueryBlock = queryBlock
        valueDim = c.vHeadDim
        qHeadDim = c.qHeadDim
        expandedQueries = try reserve(try n(heads, tokens, c.qHeadDim))
        _ = try n(heads, tokens + 32, c.qHeadDim + 32, 6)
        expandedQuerySplitBytes = (sk_bf16x3_rows_bytes(tokens, c.qHeadDim) + 63) / 64 * 64
        expandedQuerySplits = UnsafeMutableRawPointer(try reserve(try n(heads, expandedQuerySplitBytes), UInt8.self))
        expandedSums = try reserve(try n(heads, tokens, c.vHeadDim))
        expandedMaxima = try reserve(try n(heads, tokens))
        expandedNormalisers = try reserve(try n(heads, tokens))
        expandedLatents = try reserve(try n(keyBlock, kvRank))
        expandedRopeKeys = try reserve(try n(keyBlock, c.qkRopeHeadDim))
        guard let tile = CheckedSize.sum([try n(keyBlock, c.qHeadDim), try n(2, keyBlock, c.vHeadDim),
                                          try n(queryBlock, keyBlock), try n(queryBlock, c.vHeadDim)]) else {
            throw tooLarge(nil)
        }
        expandedTileStride = tile
        expandedTiles = try reserve(try n(threads, tile))
        let keySplit = (sk_bf16x3_tokens_bytes(keyBlock, c.qHeadDim) + 63) / 64 * 64
        let valueSplit = (sk_bf16x3_tokens_bytes(c.vHeadDim, keyBlock) + 63) / 64 * 64
        let probabilitySplit = (sk_bf16x3_rows_bytes(queryBlock, keyBlock) + 63) / 64 * 64
        guard let split = CheckedSize.sum([keySplit, valueSplit, probabilitySplit]) else { throw tooLarge(nil) }
        expandedSplitStride = split
        expandedSplitOffsets = (keySplit, keySplit + valueSplit)
        expandedSplits = UnsafeMutableRawPointer(try reserve(try n(threads, split), UInt8.self))

        // The widest input any product of a pass takes: hidden (projections, experts' gate/up, lm_head),
        // q LoRA, heads x v_head_dim (o_proj), the MLPs' hidden (down), kv_lora_rank and nope (per head).
        let sharedHiddenWidth = try n(c.moeIntermediateSize, max(1, c.nSharedExperts))
        let widestInput = max(dim, c.qLoraRank ?? 0, try n(heads, c.vHeadDim), c.intermediateSize,
                              c.moeIntermediateSize, sharedHiddenWidth, kvRank, c.qkNopeHeadDim)
        _ = try n(tokens + 16, widestInput + 32, 6)  // quantized tokens take under 2 bytes per value, split ones 6
        let tokenBytes = TokenScratch.bytes(tokens: tokens, cols: widestInput)
        tokenScratch = TokenScratch(buffer: UnsafeMutableRawPointer(try reserve(tokenBytes, UInt8.self)), byteCount: tokenBytes)
        let headRows = max(tokens, keyBlock), headWidth = max(kvRank, c.qkNopeHeadDim)
        _ = try n(headRows, headWidth, 2, threads)
        headTokenScratchBytes = (sk_quantized_tokens_bytes(headRows, headWidth) + 63) / 64 * 64
        headTokenScratches = UnsafeMutableRawPointer(try reserve(try n(threads, headTokenScratchBytes), UInt8.self))

        decodeStateStride = try n(heads, kvRank + 2)
        decodeChunks = WorkerPool.chunkCount(contextSize, minChunk: Workspace.decodeChunkRows, threads: threads)
        decodeStates = try reserve(try n(decodeChunks, decodeStateStride))
        self.heads = heads
        tokenAttentionStates = try reserve(try n(threads, heads, 2))

        let sharedHidden = try n(c.moeIntermediateSize, c.nSharedExperts)
        let widest = max(c.intermediateSize, c.moeIntermediateSize, sharedHidden)
        let hasExperts = c.nRoutedExperts > 0
        let small = min(tokens, MixtureOfExperts.smallBatch)
        let smallBatchHidden = hasExperts ? try n(small, try n(c.numExpertsPerTok, c.moeIntermediateSize) + sharedHidden) : 0
        let gateCapacity = max(try n(tokens, widest), smallBatchHidden)
        gate = try reserve(gateCapacity)
        up = try reserve(gateCapacity)
        let expertRows = max(tokens, try n(small, c.numExpertsPerTok + 1))
        expertInput = try reserve(try n(expertRows, dim))
        expertOutput = try reserve(try n(expertRows, dim))
        routerLogits = try reserve(try n(tokens, c.nRoutedExperts))
        router = Router.Scratch(scores: try reserve(c.nRoutedExperts), choice: try reserve(c.nRoutedExperts),
                                groupScores: try reserve(max(1, c.nGroup)), groupOrder: try reserve(max(1, c.nGroup)),
                                chosen: try reserve(max(1, c.numExpertsPerTok) + 1))
        routeExperts = try reserve(try n(tokens, c.numExpertsPerTok))
        routeWeights = try reserve(try n(tokens, c.numExpertsPerTok))
        expertStarts = try reserve(c.nRoutedExperts + 1)
        slotTokens = try reserve(try n(tokens, c.numExpertsPerTok))
        slotWeights = try reserve(try n(tokens, c.numExpertsPerTok))
        jobCapacity = 2 * (min(try n(small, c.numExpertsPerTok), c.nRoutedExperts) + 1)
        jobs = try reserve(jobCapacity)
        self.regions = regions
        byteCount = total
    }

    deinit { for (p, length) in regions { munmap(p, length) } }

    /// One worker's slice of `headQueries` / `headLatents`.
    func headQuery(worker: Int, nopeDim: Int) -> UnsafeMutablePointer<Float> { headQueries + worker * tokens * nopeDim }
    func headLatent(worker: Int, kvRank: Int) -> UnsafeMutablePointer<Float> { headLatents + worker * tokens * kvRank }

    /// One worker's scratch for a key block of the expanded prefill: keys [keyBlock, nope + rope], values
    /// [keyBlock, v_head_dim] and transposed [v_head_dim, keyBlock], scores [queryBlock, keyBlock] and
    /// weighted values [queryBlock, v_head_dim].
    struct ExpandedTile {
        let keys, values, valuesT, scores, weighted: UnsafeMutablePointer<Float>
    }

    /// One worker's bf16 parts of the expanded keys, transposed values and a query block's
    /// probabilities, for the AMX products.
    struct ExpandedSplits {
        let keys, valuesT, probabilities: UnsafeMutableRawPointer
    }

    func expandedSplits(worker: Int) -> ExpandedSplits {
        let base = expandedSplits + worker * expandedSplitStride
        return ExpandedSplits(keys: base, valuesT: base + expandedSplitOffsets.values,
                              probabilities: base + expandedSplitOffsets.probabilities)
    }

    /// One head's queries (up to `tokens` rows of nope + rope) split into bf16 parts.
    func expandedQuerySplit(head: Int) -> UnsafeMutableRawPointer {
        expandedQuerySplits + head * expandedQuerySplitBytes
    }

    func expandedTile(worker: Int) -> ExpandedTile {
        let keys = expandedTiles + worker * expandedTileStride
        let values = keys + expandedKeyBlock * qHeadDim
        let valuesT = values + expandedKeyBlock * valueDim
        let scores = valuesT + expandedKeyBlock * valueDim
        return ExpandedTile(keys: keys, values: values, valuesT: valuesT, scores: scores,
                            weighted: scores + expandedQueryBlock * expandedKeyBlock)
    }

    /// One worker's room for quantized tokens in attention's per-head products.
    func headTokenScratch(worker: Int) -> TokenScratch {
        TokenScratch(buffer: headTokenScratches + worker * headTokenScratchBytes, byteCount: headTokenScratchBytes)
    }

    /// One worker's maxima and normalisers, [2, heads] (see `tokenAttentionStates`).
    func tokenAttentionState(worker: Int) -> UnsafeMutablePointer<Float> { tokenAttentionStates + worker * 2 * heads }

    /// One chunk's decode state (see `decodeStates`).
    func decodeState(chunk: Int) -> UnsafeMutablePointer<Float> { decodeStates + chunk * decodeStateStride }
}
