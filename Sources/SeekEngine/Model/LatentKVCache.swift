import Foundation
import SeekKernels

/// The MLA key/value cache of one sequence: per layer and token only the normalised compressed latent
/// (kv_lora_rank) and the rotated shared rope key (qk_rope_head_dim) — 576 values for DeepSeek-V2-Lite
/// instead of 2 x 16 heads x 128+ for full K and V. Per-head keys and values are never materialised.
/// The values are float32 or bf16 (`LatentCacheFormat`); `LatentRows` reads and writes either.
///
/// The memory is reserved (anonymous mmap) for the whole context on first use, and only touched as
/// tokens arrive, so a large `--ctx-size` or many idle sequences cost address space, not resident memory.
final class LatentKVCache {
    let layers: Int
    let capacity: Int
    /// latentDim = kv_lora_rank + qk_rope_head_dim
    let latentDim: Int
    let format: LatentCacheFormat
    private var storage: UnsafeMutableRawPointer?
    private var reservedBytes = 0
    /// Tokens currently cached (the next token's position).
    var count = 0

    init(layers: Int, capacity: Int, latentDim: Int, format: LatentCacheFormat) {
        self.layers = layers
        self.capacity = capacity
        self.latentDim = latentDim
        self.format = format
    }

    deinit {
        if let storage { munmap(storage, reservedBytes) }
    }

    /// Row-major [capacity, latentDim] block of one layer: [latent | rope key] per token. The cache must
    /// be reserved (`reserve()`, which every forward pass calls before it writes).
    func layer(_ i: Int) -> LatentRows {
        guard let storage else { preconditionFailure("the KV cache is used before it is reserved") }
        return LatentRows(base: storage + i * capacity * latentDim * format.bytesPerValue, width: latentDim, format: format)
    }

    /// Bytes the whole cache takes, or nil when the product overflows.
    static func bytes(layers: Int, capacity: Int, latentDim: Int, format: LatentCacheFormat) -> Int? {
        CheckedSize.product(layers, capacity, latentDim, format.bytesPerValue)
    }

    /// Reserves the address space for the whole context, once. Throws `ContextError.exceedsMemory` when
    /// the size overflows or the system refuses it.
    func reserve() throws {
        guard storage == nil else { return }
        let size = LatentKVCache.bytes(layers: layers, capacity: capacity, latentDim: latentDim, format: format)
        guard let size else {
            throw ContextError.exceedsMemory(tokens: capacity, bytes: nil, physicalBytes: PhysicalMemory.bytes)
        }
        let bytes = max(1, size)
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else {
            throw ContextError.exceedsMemory(tokens: capacity, bytes: bytes, physicalBytes: PhysicalMemory.bytes)
        }
        storage = p
        reservedBytes = bytes
    }

    /// Drops the cached tokens in `range` and moves the later ones back by its length, without
    /// recomputing them: the latent carries no position, and the rope key at position p moves to p - d by
    /// a pure rotation by -d (`rope`'s frequencies, unscaled: its mscale factor is already in the key).
    /// A bf16 cache rounds each rotated key again.
    func removeTokens(in range: Range<Int>, rope: RotaryEmbedding,
                      cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let lower = max(0, min(range.lowerBound, count)), upper = max(lower, min(range.upperBound, count))
        let d = upper - lower
        guard d > 0 else { return }
        let moved = count - upper
        if moved > 0 {
            rope.shift(by: -d, cos: cos, sin: sin)
            let kvRank = latentDim - rope.dim
            let key = UnsafeMutablePointer<Float>.allocate(capacity: rope.dim)
            defer { key.deallocate() }
            for i in 0..<layers {
                let rows = layer(i)
                rows.move(from: upper..<count, to: lower)
                for t in lower..<(lower + moved) {
                    rows.read(row: t, columns: kvRank..<latentDim, into: key)
                    rope.apply(key, cos: cos, sin: sin)
                    rows.write(row: t, columns: kvRank..<latentDim, from: key)
                }
            }
        }
        count -= d
    }
}

/// One layer's cache rows ([capacity, width] values of `format`, row-major): every read and write of
/// cached latents goes through here, converting bf16 to and from float32.
struct LatentRows {
    let base: UnsafeMutableRawPointer
    let width: Int
    let format: LatentCacheFormat

    private var floats: UnsafeMutablePointer<Float> { base.assumingMemoryBound(to: Float.self) }
    private var halves: UnsafeMutablePointer<UInt16> { base.assumingMemoryBound(to: UInt16.self) }

    /// Row `row`'s values in `columns` from `values` (rounded to nearest even for bf16).
    func write(row: Int, columns: Range<Int>, from values: UnsafePointer<Float>) {
        let at = row * width + columns.lowerBound
        switch format {
        case .f32: (floats + at).update(from: values, count: columns.count)
        case .bf16: sk_f32_to_bf16(values, halves + at, columns.count)
        }
    }

    /// Row `row`'s values in `columns` as float32 (bf16 converts exactly).
    func read(row: Int, columns: Range<Int>, into values: UnsafeMutablePointer<Float>) {
        let at = row * width + columns.lowerBound
        switch format {
        case .f32: values.update(from: floats + at, count: columns.count)
        case .bf16: sk_bf16_to_f32(halves + at, values, columns.count)
        }
    }

    /// Rows `rows` moved to start at row `destination` (the ranges may overlap).
    func move(from rows: Range<Int>, to destination: Int) {
        let bytes = width * format.bytesPerValue
        memmove(base + destination * bytes, base + rows.lowerBound * bytes, rows.count * bytes)
    }

    /// sk_attention_decode over rows `rows` for one query token's absorbed heads (see there).
    func attend(absorbed: UnsafePointer<Float>, heads: Int, rows: Range<Int>, valueDim: Int, scale: Float,
                maxima: UnsafeMutablePointer<Float>, normalisers: UnsafeMutablePointer<Float>,
                sums: UnsafeMutablePointer<Float>) {
        switch format {
        case .f32:
            sk_attention_decode(absorbed, heads, width, floats, width, rows.lowerBound, rows.upperBound, valueDim,
                                scale, maxima, normalisers, sums)
        case .bf16:
            sk_attention_decode_bf16(absorbed, heads, width, halves, width, rows.lowerBound, rows.upperBound,
                                     valueDim, scale, maxima, normalisers, sums)
        }
    }
}
