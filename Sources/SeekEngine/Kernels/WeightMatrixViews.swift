/// Row slices, transposed copies and single-threaded products, for the attention's per-head latent
/// projections (small matrices used inside an already parallel loop over heads).
extension WeightMatrix {
    /// Rows [begin, begin + count) as a matrix over the same memory (unquantized storage only: quantized
    /// rows are interleaved in groups of 8).
    func rowSlice(_ begin: Int, _ count: Int) -> WeightMatrix {
        let offset = begin * cols
        switch storage {
        case .f32(let w): return WeightMatrix(rows: count, cols: cols, storage: .f32(w + offset))
        case .bf16(let w): return WeightMatrix(rows: count, cols: cols, storage: .bf16(w + offset))
        case .f16(let w): return WeightMatrix(rows: count, cols: cols, storage: .f16(w + offset))
        case .q8, .q4: preconditionFailure("row slices of quantized matrices are not supported")
        }
    }

    /// A `cols x rows` copy in the same dtype (unquantized storage only), allocated from `arena`.
    func transposed(arena: WeightArena) -> WeightMatrix {
        func transpose<T>(_ src: UnsafePointer<T>) -> UnsafeMutablePointer<T> {
            let dst = arena.allocate(rows * cols * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: rows * cols)
            for r in 0..<rows {
                for c in 0..<cols { dst[c * rows + r] = src[r * cols + c] }
            }
            return dst
        }
        switch storage {
        case .f32(let w): return WeightMatrix(rows: cols, cols: rows, storage: .f32(transpose(w)))
        case .bf16(let w): return WeightMatrix(rows: cols, cols: rows, storage: .bf16(transpose(w)))
        case .f16(let w): return WeightMatrix(rows: cols, cols: rows, storage: .f16(transpose(w)))
        case .q8, .q4: preconditionFailure("transposing quantized matrices is not supported")
        }
    }

    /// y[t * ldy + r] = W[r, :] · x[t * cols ..< (t + 1) * cols] for every row and t < n, on the calling
    /// thread: matrix-vector products for a few tokens (several sequences decoding together; quantized
    /// weights all tokens at once), the fused kernels for more (quantized weights with `int8Tokens`: the
    /// integer products, the tokens quantized into this worker's `scratch`).
    func productOnThisThread(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, ldy: Int,
                             scratch: TokenScratch) {
        if n == 1 {
            matvecRows(x, y, 0, rows)
        } else if n <= WeightMatrix.tiledMatvecLimit {
            if matvecTokens(x, y, count: n, 0, rows, ldy: ldy) { return }
            for t in 0..<n { matvecRows(x + t * cols, y + t * ldy, 0, rows) }  // small matrices: they stay in L2
        } else if int8Tokens && isQuantized {
            let tokens = QuantizedTokens(x, count: n, cols: cols, into: scratch, pool: nil)
            int8Product(tokens, y, count: n, 0, rows, ldy: ldy)
        } else {
            matmulRows(x, y, count: n, 0, rows, ldy: ldy)
        }
    }
}
