/// The MLA key/value cache: per layer and token only the normalised compressed latent (kv_lora_rank)
/// and the rotated shared rope key (qk_rope_head_dim) — 576 floats for DeepSeek-V2-Lite instead of
/// 2 x 16 heads x 128+ for full K and V. Per-head keys and values are never materialised.
///
/// The memory is reserved for the whole context up front but only touched as tokens arrive, so a
/// large `--ctx-size` costs address space, not resident memory.
final class LatentKVCache {
    let layers: Int
    let capacity: Int
    /// latentDim = kv_lora_rank + qk_rope_head_dim
    let latentDim: Int
    private let storage: [UnsafeMutablePointer<Float>]
    /// Tokens currently cached (the next token's position).
    var count = 0

    init(layers: Int, capacity: Int, latentDim: Int) {
        self.layers = layers
        self.capacity = capacity
        self.latentDim = latentDim
        storage = (0..<layers).map { _ in .allocate(capacity: capacity * latentDim) }
    }

    deinit { storage.forEach { $0.deallocate() } }

    /// Row-major [capacity, latentDim] block of one layer: [latent | rope key] per token.
    func layer(_ i: Int) -> UnsafeMutablePointer<Float> { storage[i] }

    var bytesPerToken: Int { layers * latentDim * MemoryLayout<Float>.size }
}
