import Foundation

/// The MLA key/value cache of one sequence: per layer and token only the normalised compressed latent
/// (kv_lora_rank) and the rotated shared rope key (qk_rope_head_dim) — 576 floats for DeepSeek-V2-Lite
/// instead of 2 x 16 heads x 128+ for full K and V. Per-head keys and values are never materialised.
///
/// The memory is reserved (anonymous mmap) for the whole context on first use, and only touched as
/// tokens arrive, so a large `--ctx-size` or many idle sequences cost address space, not resident memory.
final class LatentKVCache {
    let layers: Int
    let capacity: Int
    /// latentDim = kv_lora_rank + qk_rope_head_dim
    let latentDim: Int
    private var storage: UnsafeMutablePointer<Float>?
    private var reservedBytes = 0
    /// Tokens currently cached (the next token's position).
    var count = 0

    init(layers: Int, capacity: Int, latentDim: Int) {
        self.layers = layers
        self.capacity = capacity
        self.latentDim = latentDim
    }

    deinit {
        if let storage { munmap(storage, reservedBytes) }
    }

    /// Row-major [capacity, latentDim] block of one layer: [latent | rope key] per token. The cache must
    /// be reserved (`reserve()`, which every forward pass calls before it writes).
    func layer(_ i: Int) -> UnsafeMutablePointer<Float> {
        guard let storage else { preconditionFailure("the KV cache is used before it is reserved") }
        return storage + i * capacity * latentDim
    }

    /// Bytes the whole cache takes, or nil when the product overflows.
    static func bytes(layers: Int, capacity: Int, latentDim: Int) -> Int? {
        CheckedSize.product(layers, capacity, latentDim, MemoryLayout<Float>.size)
    }

    /// Reserves the address space for the whole context, once. Throws `ContextError.exceedsMemory` when
    /// the size overflows or the system refuses it.
    func reserve() throws {
        guard storage == nil else { return }
        let size = LatentKVCache.bytes(layers: layers, capacity: capacity, latentDim: latentDim)
        guard let size else {
            throw ContextError.exceedsMemory(tokens: capacity, bytes: nil, physicalBytes: PhysicalMemory.bytes)
        }
        let bytes = max(1, size)
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else {
            throw ContextError.exceedsMemory(tokens: capacity, bytes: bytes, physicalBytes: PhysicalMemory.bytes)
        }
        storage = p.bindMemory(to: Float.self, capacity: max(1, layers * capacity * latentDim))
        reservedBytes = bytes
    }

    /// Drops the cached tokens in `range` and moves the later ones back by its length, without
    /// recomputing them: the latent carries no position, and the rope key at position p moves to p - d by
    /// a pure rotation by -d (`rope`'s frequencies, unscaled: its mscale factor is already in the key).
    func removeTokens(in range: Range<Int>, rope: RotaryEmbedding,
                      cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let lower = max(0, min(range.lowerBound, count)), upper = max(lower, min(range.upperBound, count))
        let d = upper - lower
        guard d > 0 else { return }
        let moved = count - upper
        if moved > 0 {
            rope.shift(by: -d, cos: cos, sin: sin)
            let kvRank = latentDim - rope.dim
            for i in 0..<layers {
                let block = layer(i)
                memmove(block + lower * latentDim, block + upper * latentDim, moved * latentDim * MemoryLayout<Float>.size)
                for t in lower..<(lower + moved) { rope.apply(block + t * latentDim + kvRank, cos: cos, sin: sin) }
            }
        }
        count -= d
    }

    var bytesPerToken: Int { layers * latentDim * MemoryLayout<Float>.size }
}
