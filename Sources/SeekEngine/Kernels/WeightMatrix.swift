import CBLAS
import SeekKernels

/// A `rows x cols` row-major weight matrix in its stored dtype (usually a slice of the mmapped file),
/// with the two products the model needs: matrix-vector (decode) and matrix-matrix (prefill).
public struct WeightMatrix: @unchecked Sendable {
    public enum Storage {
        case f32(UnsafePointer<Float>)
        case bf16(UnsafePointer<UInt16>)
        case f16(UnsafePointer<UInt16>)
        /// Blocks of 32: f16 scale + 32 int8 (llama.cpp Q8_0), rows interleaved by 8 (SeekKernels.h).
        case q8(UnsafeRawPointer)
        /// Blocks of 32: f16 scale + 16 bytes of nibbles (llama.cpp Q4_0), rows interleaved by 8.
        case q4(UnsafeRawPointer)
    }

    public let rows: Int
    public let cols: Int
    public let storage: Storage
    /// For q8/q4 storage: batched products quantize the tokens to int8 blocks and multiply integers
    /// (sk_matmul_qN_int8, as llama.cpp does), 3x the float-token rate; false keeps float32 tokens
    /// (sk_matmul_qN). Matrix-vector products always use int8 tokens. Ignored for other storage.
    public var int8Tokens = true

    public init(rows: Int, cols: Int, storage: Storage) {
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Bytes the weights occupy (what one decode step streams from memory).
    public var byteCount: Int {
        switch storage {
        case .f32: return rows * cols * 4
        case .bf16, .f16: return rows * cols * 2
        case .q8: return sk_q8_matrix_bytes(rows, cols)
        case .q4: return sk_q4_matrix_bytes(rows, cols)
        }
    }

    /// y[r] = W[r, :] · x for the output rows [begin, end).
    @inline(__always)
    func matvecRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ begin: Int, _ end: Int) {
        switch storage {
        case .f32(let w): sk_matvec_f32(w, x, y, begin, end, cols)
        case .bf16(let w): sk_matvec_bf16(w, x, y, begin, end, cols)
        case .f16(let w): sk_matvec_f16(w, x, y, begin, end, cols)
        case .q8(let w): sk_matvec_q8(w, x, y, begin, end, cols)
        case .q4(let w): sk_matvec_q4(w, x, y, begin, end, cols)
        }
    }

    /// Converts rows [begin, end) to float32 into `dst` ((end - begin) * cols values).
    func convertRows(_ begin: Int, _ end: Int, into dst: UnsafeMutablePointer<Float>) {
        let n = (end - begin) * cols
        switch storage {
        case .f32(let w): dst.update(from: w + begin * cols, count: n)
        case .bf16(let w): sk_bf16_to_f32(w + begin * cols, dst, n)
        case .f16(let w): sk_f16_to_f32(w + begin * cols, dst, n)
        case .q8(let w): sk_dequantize_q8_rows(w, dst, cols, begin, end)
        case .q4(let w): sk_dequantize_q4_rows(w, dst, cols, begin, end)
        }
    }

    /// Y[n, rows] = X[n, cols] · Wᵀ. One token is a matrix-vector product, up to 8 tiled ones (see
    /// `productRows`), both split across the workers by output rows (whole 8-row groups, which quantized
    /// matrices interleave). More tokens in converted dtypes (bf16, f16, q8, q4) go through the fused SeekKernels products (sk_matmul_*), which convert each weight once
    /// into cache-sized float32 panels: as fast as OpenBLAS at 512 tokens and up to 1.5-3x faster at the
    /// few dozen tokens a routed expert sees (Scripts/gemm_bench.c). float32 weights need no conversion
    /// and keep single-threaded OpenBLAS sgemm calls. Either way the output rows are split across our
    /// own workers, so OpenBLAS's pool never competes with them.
    /// Quantized weights with `int8Tokens` first quantize the tokens into `scratch` (the workspace's); bf16
    /// weights on a CPU with AMX split them there into three bf16 parts for the tiles (sk_matmul_bf16_amx:
    /// still float32 products, 3-4x the FMA rate).
    func matmul(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, pool: WorkerPool,
                scratch: TokenScratch) {
        if n <= WeightMatrix.tiledMatvecLimit {
            let groups = (rows + 7) / 8
            pool.forRanges(groups, minChunk: 8) { first, end in productRows(x, y, count: n, first * 8, min(rows, end * 8)) }
            return
        }
        if let form = preparedForm {
            let tokens = PreparedTokens(form, x, count: n, cols: cols, into: scratch, pool: pool)
            pool.forRanges((rows + 15) / 16, minChunk: 1) { first, end in
                preparedProduct(tokens, x, y, count: n, first * 16, min(rows, end * 16))
            }
            return
        }
        guard case .f32(let w) = storage else {
            // Whole 16-row panels per worker, so only the last one can be partial.
            let panels = (rows + 15) / 16
            pool.forRanges(panels, minChunk: 1) { first, end in
                matmulRows(x, y, count: n, first * 16, min(rows, end * 16))
            }
            return
        }
        // At least 16 rows per worker so sgemm stays efficient.
        let perWorker = max(16, (rows + pool.threads - 1) / pool.threads)
        let blocks = (rows + perWorker - 1) / perWorker
        pool.forRanges(blocks, minChunk: 1) { firstBlock, endBlock in
            let begin = firstBlock * perWorker, end = min(rows, endBlock * perWorker)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(end - begin), Int32(cols),
                        1, x, Int32(cols), w + begin * cols, Int32(cols), 0, y + begin, Int32(rows))
        }
    }

    /// Y_a = X · Aᵀ and Y_b = X · Bᵀ (an MLP's gate and up) for the same tokens: when both take prepared
    /// tokens of one form, the tokens are prepared once and both matrices' panels share one parallel
    /// region; otherwise two `matmul`s.
    static func matmulPair(_ a: WeightMatrix, _ b: WeightMatrix, _ x: UnsafePointer<Float>, _ ya: UnsafeMutablePointer<Float>,
                           _ yb: UnsafeMutablePointer<Float>, count n: Int, pool: WorkerPool, scratch: TokenScratch) {
        guard n > WeightMatrix.tiledMatvecLimit, a.cols == b.cols, let form = a.preparedForm, form == b.preparedForm else {
            a.matmul(x, ya, count: n, pool: pool, scratch: scratch)
            b.matmul(x, yb, count: n, pool: pool, scratch: scratch)
            return
        }
        let tokens = PreparedTokens(form, x, count: n, cols: a.cols, into: scratch, pool: pool)
        let panelsA = (a.rows + 15) / 16, panelsB = (b.rows + 15) / 16
        pool.forRanges(panelsA + panelsB, minChunk: 1) { first, end in
            if first < panelsA { a.preparedProduct(tokens, x, ya, count: n, first * 16, min(a.rows, min(end, panelsA) * 16)) }
            if end > panelsA {
                b.preparedProduct(tokens, x, yb, count: n, (max(first, panelsA) - panelsA) * 16, min(b.rows, (end - panelsA) * 16))
            }
        }
    }

    /// The form batched products want the tokens in, prepared once per product for all workers: int8
    /// blocks for quantized weights with `int8Tokens`, three bf16 parts for bf16 weights on AMX; nil for
    /// float32 tokens.
    var preparedForm: PreparedTokens.Form? {
        if int8Tokens, isQuantized { return .int8 }
        if case .bf16 = storage, sk_amx_enabled() != 0 { return .bf16x3 }
        return nil
    }

    /// Y[:, begin..<end] from tokens prepared in this matrix's `preparedForm` (x itself serves the AMX
    /// product's rows past the last whole 16).
    @inline(__always)
    func preparedProduct(_ tokens: PreparedTokens, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
                         _ begin: Int, _ end: Int) {
        switch (tokens.form, storage) {
        case (.int8, .q8(let w)): sk_matmul_q8_int8(w, tokens.buffer, y, n, begin, end, cols, rows)
        case (.int8, .q4(let w)): sk_matmul_q4_int8(w, tokens.buffer, y, n, begin, end, cols, rows)
        case (.bf16x3, .bf16(let w)): sk_matmul_bf16_amx(w, tokens.buffer, x, y, n, begin, end, cols, rows)
        default: preconditionFailure("tokens prepared for another kind of weights")
        }
    }

    /// A few tokens (several sequences decoding together) run as matrix-vector products, so each weight
    /// comes from memory once: the fused kernels first convert every weight to float32, which for 2-8
    /// tokens costs more than the products (2 sequences took 4x one sequence's time for q4 weights).
    /// Quantized weights go through sk_matvec_qN_tokens, which loads each weight block once and
    /// multiplies it with every token's int8 activation (each token's result exactly its own
    /// matrix-vector product's); other dtypes through matrix-vector products over tiles of rows small
    /// enough to stay in L2.
    static let tiledMatvecLimit = 8
    static let tileRows = 128

    /// Y[:, begin..<end] = X[n, cols] · W[begin..<end, :]ᵀ (rows of Y `rows` apart): one matrix-vector
    /// product, several at once for a few tokens, the fused kernels for more.
    @inline(__always)
    func productRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, _ begin: Int, _ end: Int) {
        if n == 1 {
            matvecRows(x, y, begin, end)
        } else if n <= WeightMatrix.tiledMatvecLimit, matvecTokens(x, y, count: n, begin, end, ldy: rows) {
            return
        } else if n <= WeightMatrix.tiledMatvecLimit {
            var tile = begin
            while tile < end {
                let tileEnd = min(end, tile + WeightMatrix.tileRows)
                for t in 0..<n { matvecRows(x + t * cols, y + t * rows, tile, tileEnd) }
                tile = tileEnd
            }
        } else {
            matmulRows(x, y, count: n, begin, end)
        }
    }

    /// Y[:, begin..<end] for n tokens with the several-token matrix-vector kernels (quantized storage);
    /// false, doing nothing, for other storage.
    @inline(__always)
    func matvecTokens(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, _ begin: Int, _ end: Int,
                      ldy: Int) -> Bool {
        switch storage {
        case .q8(let w): sk_matvec_q8_tokens(w, x, y, n, begin, end, cols, ldy)
        case .q4(let w): sk_matvec_q4_tokens(w, x, y, n, begin, end, cols, ldy)
        default: return false
        }
        return true
    }

    /// Y[:, begin..<end] with the fused kernels (`matmul` itself sends f32 weights to sgemm); output rows
    /// are `ldy` apart (default: the matrix's rows).
    @inline(__always)
    func matmulRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, _ begin: Int, _ end: Int,
                    ldy: Int? = nil) {
        let ldy = ldy ?? rows
        switch storage {
        case .f32(let w): sk_matmul_f32(w, x, y, n, begin, end, cols, ldy)
        case .bf16(let w): sk_matmul_bf16(w, x, y, n, begin, end, cols, ldy)
        case .f16(let w): sk_matmul_f16(w, x, y, n, begin, end, cols, ldy)
        case .q8(let w): sk_matmul_q8(w, x, y, n, begin, end, cols, ldy)
        case .q4(let w): sk_matmul_q4(w, x, y, n, begin, end, cols, ldy)
        }
    }

    var isQuantized: Bool {
        switch storage {
        case .q8, .q4: return true
        default: return false
        }
    }

    /// Y[:, begin..<end] from int8 tokens (q8/q4 storage only).
    @inline(__always)
    func int8Product(_ tokens: QuantizedTokens, _ y: UnsafeMutablePointer<Float>, count n: Int, _ begin: Int, _ end: Int,
                     ldy: Int) {
        switch storage {
        case .q8(let w): sk_matmul_q8_int8(w, tokens.buffer, y, n, begin, end, cols, ldy)
        case .q4(let w): sk_matmul_q4_int8(w, tokens.buffer, y, n, begin, end, cols, ldy)
        default: preconditionFailure("int8 products need quantized weights")
        }
    }
}

/// Room for tokens quantized to int8 blocks (sk_quantize_tokens) or split for AMX
/// (sk_split_tokens_bf16x3), sized once by its owner (the workspace, `TokenScratch.bytes`), so no
/// product allocates.
struct TokenScratch {
    let buffer: UnsafeMutableRawPointer
    let byteCount: Int

    /// Bytes for n tokens of up to `cols` values in either form.
    static func bytes(tokens n: Int, cols: Int) -> Int {
        max(sk_quantized_tokens_bytes(n, cols), sk_bf16x3_tokens_bytes(n, cols))
    }
}

/// Tokens X[n, cols] quantized to int8 blocks of 32 for the integer products (sk_quantize_tokens), in a
/// scratch buffer; split across the pool's workers, or on the calling thread without a pool.
struct QuantizedTokens {
    let buffer: UnsafeMutableRawPointer

    init(_ x: UnsafePointer<Float>, count n: Int, cols: Int, into scratch: TokenScratch, pool: WorkerPool?) {
        precondition(sk_quantized_tokens_bytes(n, cols) <= scratch.byteCount, "token scratch too small")
        let buffer = scratch.buffer
        if let pool {
            pool.forRanges(n, minChunk: 8) { t0, t1 in sk_quantize_tokens(x, n, cols, t0, t1, buffer) }
        } else {
            sk_quantize_tokens(x, n, cols, 0, n, buffer)
        }
        self.buffer = buffer
    }
}

/// Tokens X[n, cols] in the form a batched product takes them (`WeightMatrix.preparedForm`), in a scratch
/// buffer, prepared across the pool's workers.
struct PreparedTokens {
    enum Form { case int8, bf16x3 }
    let form: Form
    let buffer: UnsafeMutableRawPointer

    init(_ form: Form, _ x: UnsafePointer<Float>, count n: Int, cols: Int, into scratch: TokenScratch, pool: WorkerPool) {
        self.form = form
        switch form {
        case .int8: buffer = QuantizedTokens(x, count: n, cols: cols, into: scratch, pool: pool).buffer
        case .bf16x3:  // three exact bf16 parts (sk_split_tokens_bf16x3), by blocks of 16 tokens
            precondition(sk_bf16x3_tokens_bytes(n, cols) <= scratch.byteCount, "token scratch too small")
            let buffer = scratch.buffer
            pool.forRanges((n + 15) / 16, minChunk: 1) { b0, b1 in sk_split_tokens_bf16x3(x, n, cols, b0, b1, buffer) }
            self.buffer = buffer
        }
    }
}
