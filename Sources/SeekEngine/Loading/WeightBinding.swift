/// Binds Hugging Face tensor names to the model's parts. The only file that knows checkpoint names
/// (`model.layers.N.self_attn.kv_a_proj_with_mqa.weight`, …) and checks every shape against config.json.
struct WeightBinding {
    let store: TensorStore
    let config: ModelConfig
    /// The workers that quantize at load time.
    let pool: WorkerPool
    /// Quantize the large matrices to this format while loading (nil: keep the stored dtype).
    var quantization: QuantFormat? = nil
    /// Whether quantized matrices multiply int8 tokens in batched products (LoadOptions.int8Tokens).
    var int8Tokens = true
    /// The lm_head's format when quantizing at load, if not the model's (LoadOptions.lmHeadQuantization).
    var lmHeadQuantization: QuantFormat? = nil
    /// Copy the matrices read every token into the arena's huge pages instead of reading them from the
    /// mapped files (LoadOptions.copyWeights).
    var copyWeights = false
    var arena = WeightArena()
    /// Copies rearranged at load time (the attention's transposed key up-projections).
    var rearranged = WeightArena()
    /// The names bound so far: whatever is left in the checkpoint at the end is an error.
    let used = UsedNames()

    final class UsedNames {
        var names = Set<String>()
    }

    /// Throws for a tensor of the checkpoint that nothing bound (see `CheckpointCheck`).
    func requireAllUsed() throws {
        try CheckpointCheck.requireAllUsed(store: store, used: used.names, config: config)
    }

    /// The matrices worth quantizing: every projection and the lm_head. Embeddings (one row read per
    /// token), the router gate (small, decides routing) and kv_b_proj (small, split per head and partly
    /// transposed) stay as stored.
    static func isQuantizable(_ name: String, shape: [Int]) -> Bool {
        guard shape.count == 2, name.hasSuffix(".weight") else { return false }
        if name.contains("embed_tokens") || name.contains("kv_b_proj") || name.hasSuffix("mlp.gate.weight") { return false }
        return name.hasSuffix("_proj.weight") || name.hasSuffix("kv_a_proj_with_mqa.weight") || name == "lm_head.weight"
    }

    func tensor(_ name: String, shape: [Int]) throws -> TensorView {
        guard let t = store[name] else {
            throw ModelFileError(file: store.folder, problem: .missingTensor(tensor: name))
        }
        used.names.insert(name)
        guard t.shape == shape else {
            throw ModelFileError(file: t.file, problem: .shapeMismatch(tensor: name, shape: t.shape, expected: shape, format: nil))
        }
        return t
    }

    func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
        guard let t = store[name] else {
            throw ModelFileError(file: store.folder, problem: .missingTensor(tensor: name))
        }
        used.names.insert(name)
        if t.dtype == .u8 { return inMemory(try prequantized(t, rows: rows, cols: cols), t) }
        _ = try tensor(name, shape: [rows, cols])
        let stored = try WeightBinding.storedMatrix(t, rows: rows, cols: cols)
        guard let format = quantization, WeightBinding.isQuantizable(name, shape: t.shape) else {
            return WeightBinding.isQuantizable(name, shape: t.shape) ? inMemory(stored, t) : stored
        }
        let q = stored.quantized(format, arena: arena, pool: pool)
        t.releaseResidentPages()
        return withTokenPrecision(q)
    }

    /// With `copyWeights`, the matrix copied into the arena and its mapped pages released; else as is.
    private func inMemory(_ m: WeightMatrix, _ t: TensorView) -> WeightMatrix {
        guard copyWeights else { return m }
        let copy = m.copied(into: arena, pool: pool)
        t.releaseResidentPages()
        return copy
    }

    /// A quantized matrix with the token precision the options asked for.
    private func withTokenPrecision(_ m: WeightMatrix) -> WeightMatrix {
        var m = m
        m.int8Tokens = int8Tokens
        return m
    }

    /// A float tensor viewed as a matrix in its stored dtype.
    static func storedMatrix(_ t: TensorView, rows: Int, cols: Int) throws -> WeightMatrix {
        switch t.dtype {
        case .f32: return WeightMatrix(rows: rows, cols: cols, storage: .f32(t.data.assumingMemoryBound(to: Float.self)))
        case .bf16: return WeightMatrix(rows: rows, cols: cols, storage: .bf16(t.data.assumingMemoryBound(to: UInt16.self)))
        case .f16: return WeightMatrix(rows: rows, cols: cols, storage: .f16(t.data.assumingMemoryBound(to: UInt16.self)))
        default: throw ModelFileError(file: t.file, problem: .wrongDType(tensor: t.name, dtype: t.dtype.rawValue, expected: "BF16, F16 or F32"))
        }
    }

    /// A matrix that `seek quantize` stored as U8 rows of quantized blocks.
    private func prequantized(_ t: TensorView, rows: Int, cols: Int) throws -> WeightMatrix {
        let tag = store.metadata(forFile: t.file)[QuantFormat.metadataKey] ?? ""
        guard let format = QuantFormat(rawValue: tag) else {
            throw ModelFileError(file: t.file, problem: .quantizedWithoutTag(tensor: t.name, key: QuantFormat.metadataKey))
        }
        let layout = store.metadata(forFile: t.file)[QuantFormat.layoutKey] ?? "none"
        guard layout == QuantFormat.layout else {
            throw ModelFileError(file: t.file, problem: .quantizationLayout(found: layout, expected: QuantFormat.layout,
                                                                                key: QuantFormat.layoutKey))
        }
        let shape = format.storedShape(rows: rows, cols: cols)
        guard t.shape == shape else {
            throw ModelFileError(file: t.file, problem: .shapeMismatch(tensor: t.name, shape: t.shape, expected: shape,
                                                                         format: format.rawValue))
        }
        return withTokenPrecision(WeightMatrix(rows: rows, cols: cols, storage: format == .q8 ? .q8(t.data) : .q4(t.data)))
    }

    /// A small float tensor (a norm, a bias), checked finite: it is copied anyway.
    func vector(_ name: String, count: Int) throws -> [Float] {
        let t = try tensor(name, shape: [count])
        let values = try t.floats()
        try CheckpointCheck.requireFinite(values, tensor: t)
        return values
    }

    func feedForward(_ prefix: String, hidden: Int) throws -> FeedForward {
        let dim = config.hiddenSize
        return FeedForward(gate: try matrix("\(prefix).gate_proj.weight", rows: hidden, cols: dim),
                           up: try matrix("\(prefix).up_proj.weight", rows: hidden, cols: dim),
                           down: try matrix("\(prefix).down_proj.weight", rows: dim, cols: hidden))
    }

    func attention(layer i: Int, rope: RotaryEmbedding) throws -> MultiHeadLatentAttention {
        let c = config
        let p = "model.layers.\(i).self_attn"
        let qWidth = c.numAttentionHeads * c.qHeadDim
        let query: MultiHeadLatentAttention.QueryProjection
        if let rank = c.qLoraRank {
            query = .lowRank(down: try matrix("\(p).q_a_proj.weight", rows: rank, cols: c.hiddenSize),
                             norm: try vector("\(p).q_a_layernorm.weight", count: rank),
                             up: try matrix("\(p).q_b_proj.weight", rows: qWidth, cols: rank))
        } else {
            query = .direct(try matrix("\(p).q_proj.weight", rows: qWidth, cols: c.hiddenSize))
        }
        // kv_b_proj per head: nope key rows, then value rows. The key part is used transposed.
        let headRows = c.qkNopeHeadDim + c.vHeadDim
        let kvB = try tensor("\(p).kv_b_proj.weight", shape: [c.numAttentionHeads * headRows, c.kvLoraRank])
        let kvUp = try WeightBinding.storedMatrix(kvB, rows: c.numAttentionHeads * headRows, cols: c.kvLoraRank)
        // A quantized model reads these per-head matrices every token too (5 % of a q4 token's bytes in
        // bf16): q8 whatever the model's format, so attention keeps 8-bit precision. The transposed
        // stored-dtype copies are then only a step (scratch, freed here).
        let quantizeLatent = quantization != nil || store.quantizationTag != nil
        let scratch = WeightArena()
        var keyUpT = (0..<c.numAttentionHeads).map {
            kvUp.rowSlice($0 * headRows, c.qkNopeHeadDim).transposed(arena: quantizeLatent ? scratch : rearranged)
        }
        var valueUp = (0..<c.numAttentionHeads).map { kvUp.rowSlice($0 * headRows + c.qkNopeHeadDim, c.vHeadDim) }
        // The key half as stored too, for the expanded prefill (a view of the checkpoint's rows).
        var keyUp = (0..<c.numAttentionHeads).map { kvUp.rowSlice($0 * headRows, c.qkNopeHeadDim) }
        if quantizeLatent {
            keyUpT = keyUpT.map { withTokenPrecision($0.quantized(.q8, arena: arena, pool: pool)) }
            valueUp = valueUp.map { withTokenPrecision($0.quantized(.q8, arena: arena, pool: pool)) }
            keyUp = keyUp.map { withTokenPrecision($0.quantized(.q8, arena: arena, pool: pool)) }
        }
        var scale = 1 / Float(c.qHeadDim).squareRoot()
        if let y = c.ropeScaling, y.mscaleAllDim != 0 {
            let m = Float(RotaryEmbedding.mscale(y.factor, y.mscaleAllDim))
            scale *= m * m
        }
        return MultiHeadLatentAttention(
            heads: c.numAttentionHeads, nopeDim: c.qkNopeHeadDim, ropeDim: c.qkRopeHeadDim, valueDim: c.vHeadDim,
            kvRank: c.kvLoraRank, query: query,
            kvDown: try matrix("\(p).kv_a_proj_with_mqa.weight", rows: c.latentDim, cols: c.hiddenSize),
            kvNorm: try vector("\(p).kv_a_layernorm.weight", count: c.kvLoraRank),
            keyUpT: keyUpT, valueUp: valueUp,
            output: try matrix("\(p).o_proj.weight", rows: c.hiddenSize, cols: c.numAttentionHeads * c.vHeadDim),
            softmaxScale: scale, rope: rope, eps: c.rmsNormEps, keyUp: keyUp)
    }

    func mixtureOfExperts(layer i: Int) throws -> MixtureOfExperts {
        let c = config
        let p = "model.layers.\(i).mlp"
        var bias: [Float]? = nil
        if c.topkMethod == .noAuxTC {
            bias = try vector("\(p).gate.e_score_correction_bias", count: c.nRoutedExperts)
        }
        let experts = try (0..<c.nRoutedExperts).map { e in
            try feedForward("\(p).experts.\(e)", hidden: c.moeIntermediateSize)
        }
        let shared = c.nSharedExperts > 0
            ? try feedForward("\(p).shared_experts", hidden: c.moeIntermediateSize * c.nSharedExperts) : nil
        return MixtureOfExperts(gate: try matrix("\(p).gate.weight", rows: c.nRoutedExperts, cols: c.hiddenSize),
                                router: Router(config: c, correctionBias: bias), experts: experts, shared: shared)
    }

    func layer(_ i: Int, rope: RotaryEmbedding) throws -> DecoderLayer {
        let c = config
        let block: DecoderLayer.FeedForwardBlock = c.isMoELayer(i)
            ? .moe(try mixtureOfExperts(layer: i))
            : .dense(try feedForward("model.layers.\(i).mlp", hidden: c.intermediateSize))
        return DecoderLayer(
            inputNorm: try vector("model.layers.\(i).input_layernorm.weight", count: c.hiddenSize),
            postAttentionNorm: try vector("model.layers.\(i).post_attention_layernorm.weight", count: c.hiddenSize),
            attention: try attention(layer: i, rope: rope), feedForward: block)
    }

    func embedding() throws -> WeightMatrix {
        try matrix("model.embed_tokens.weight", rows: config.vocabSize, cols: config.hiddenSize)
    }

    func finalNorm() throws -> [Float] { try vector("model.norm.weight", count: config.hiddenSize) }

    func lmHead() throws -> WeightMatrix {
        var binding = self
        if quantization != nil, let format = lmHeadQuantization { binding.quantization = format }
        return try binding.lmHeadInModelFormat()
    }

    private func lmHeadInModelFormat() throws -> WeightMatrix {
        if config.tieWordEmbeddings && store["lm_head.weight"] == nil {
            let shared = try embedding()
            return quantization.map { withTokenPrecision(shared.quantized($0, arena: arena, pool: pool)) } ?? shared
        }
        return try matrix("lm_head.weight", rows: config.vocabSize, cols: config.hiddenSize)
    }
}
