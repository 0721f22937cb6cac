/// How the latent KV cache holds its values.
///
/// Float32 keeps the latents exactly as computed: float weights match the reference to 1e-4 only with
/// it. bf16 halves the bytes a token reads from the cache, which dominate decoding deep in a long context
/// (the rows come from memory), at the cost of rounding every cached latent to 8 significant bits, as
/// llama.cpp's default f16 cache rounds its keys and values to 11. Quantized weights already trade that
/// much precision, so they default to it; on AMX CPUs its attention also runs on tiles.
public enum LatentCacheFormat: String, CaseIterable, Sendable {
    case f32
    case bf16

    /// The format a model's cache takes when none is asked for: bf16 with quantized weights, float32
    /// with float ones.
    public static func standard(quantized: Bool) -> LatentCacheFormat { quantized ? .bf16 : .f32 }

    var bytesPerValue: Int {
        switch self {
        case .f32: return MemoryLayout<Float>.size
        case .bf16: return MemoryLayout<UInt16>.size
        }
    }
}
