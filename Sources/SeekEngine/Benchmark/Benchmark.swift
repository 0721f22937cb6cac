import Foundation
import CBLAS
import SeekKernels

/// llama-bench-style measurements: prompt processing and generation speed, time to first token,
/// memory, and how close generation comes to the memory-bandwidth bound.
public enum Benchmark {
    public struct Result: Sendable {
        public var promptTokens: Int
        public var generatedTokens: Int
        /// Tokens already in the cache before the prompt (not timed).
        public var depth = 0
        public var prefillSeconds: Double
        public var decodeSeconds: Double
        public var firstTokenSeconds: Double
        /// Where the prompt's and the generation's time went.
        public var prefillPhases = PhaseTimes()
        public var decodePhases = PhaseTimes()
        public var promptTokensPerSecond: Double { Double(promptTokens) / prefillSeconds }
        public var generationTokensPerSecond: Double { Double(generatedTokens) / decodeSeconds }
    }

    /// Fills the cache with `depth` pseudo-random tokens (untimed, like llama-bench's -d), prefills
    /// `promptTokens` more as one batch, then decodes `generateTokens` greedily.
    public static func run(model: DeepSeekModel, promptTokens: Int, generateTokens: Int, depth: Int = 0,
                           seed: UInt64 = 1) throws -> Result {
        // Checked before the prompt is made: its length and the depth come from flags.
        guard promptTokens > 0, generateTokens >= 0, depth >= 0,
              let needed = CheckedSize.sum([depth, promptTokens, generateTokens]), needed <= model.contextSize else {
            throw ContextError.full(cached: max(0, depth), adding: max(0, promptTokens) + max(0, generateTokens),
                                    capacity: model.contextSize)
        }
        var state = seed | 1
        let vocab = min(model.config.vocabSize, 100_000)
        let tokens = (0..<(depth + promptTokens)).map { _ -> Int in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(vocab))
        }
        let context = Array(tokens.prefix(depth)), prompt = Array(tokens.suffix(promptTokens))
        // Warm up: weights paged in, and one short pass so every code path and buffer has run once.
        if model.quantization == nil { model.prefetchWeights() }
        model.resetCache()
        _ = try model.forward(Array(prompt.prefix(min(8, prompt.count))))
        _ = try model.forward([0])
        model.resetCache()
        if !context.isEmpty { _ = try model.forward(context) }
        let start = Date()
        var (logits, prefillPhases) = try PhaseClock.profile { try model.forward(prompt) }
        var next = Sampler.argmax(logits)
        let prefill = Date().timeIntervalSince(start)
        let decodeStart = Date()
        var firstToken = prefill
        let (_, decodePhases) = try PhaseClock.profile {
            for i in 0..<generateTokens {
                logits = try model.forward([next])
                next = Sampler.argmax(logits)
                if i == 0 { firstToken = Date().timeIntervalSince(start) }
            }
        }
        let decode = Date().timeIntervalSince(decodeStart)
        return Result(promptTokens: promptTokens, generatedTokens: generateTokens, depth: depth, prefillSeconds: prefill,
                      decodeSeconds: decode, firstTokenSeconds: firstToken, prefillPhases: prefillPhases,
                      decodePhases: decodePhases)
    }

    /// Read bandwidth in bytes/s over a buffer far larger than the last-level cache, all workers reading
    /// disjoint parts; the best of a few passes.
    public static func measureReadBandwidth(bytes: Int = 1 << 30, threads: Int) -> Double {
        let count = bytes / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        let pool = WorkerPool(threads: threads)
        var best = 0.0
        for _ in 0..<3 {
            let start = Date()
            pool.forRanges(count, minChunk: 1 << 20) { begin, end in
                _ = sk_sum_f32(buffer + begin, end - begin)
            }
            best = max(best, Double(bytes) / Date().timeIntervalSince(start))
        }
        return best
    }

    /// The machine's float32 matrix-product rate in FLOP/s: every worker runs single-threaded OpenBLAS
    /// sgemm at a prefill-like shape, (256 x 2048) · (2048 x 1408), as the engine does.
    public static func measureSgemmRate(threads: Int) -> Double {
        let m = 256, k = 2048, n = 1408
        let a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: n * k)
        var best = 0.0
        let pool = WorkerPool(threads: threads)
        for _ in 0..<3 {
            let start = Date()
            pool.forWorkers(threads) { _, begin, end in
                var c = [Float](repeating: 0, count: m * n)
                for _ in begin..<end {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1,
                                a, Int32(k), b, Int32(k), 0, &c, Int32(n))
                }
            }
            best = max(best, Double(threads) * 2 * Double(m * n * k) / Date().timeIntervalSince(start))
        }
        return best
    }
}
