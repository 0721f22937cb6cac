import XCTest
@testable import SeekEngine

/// The layers alone, on the fixtures' weights: MLA and MoE give the same output token by token (n = 1,
/// the decode paths) as for all tokens in one batch (n > 1, the prefill paths), and MLA gives each
/// sequence of a mixed batch what it gets alone.
final class LayerBatchingTests: XCTestCase {
    private static let fixtures = ["tiny-lite", "tiny-v2", "tiny-v3"]

    private func load(_ name: String, cacheFormat: LatentCacheFormat = .f32) throws -> DeepSeekModel {
        var options = LoadOptions()
        options.contextSize = 64
        options.batchSize = 16
        options.cacheFormat = cacheFormat
        return try DeepSeekModel.load(folder: try SharedData.fixture(name), options: options)
    }

    /// Deterministic inputs of RMS about 1, like the normalised rows the layers receive.
    private func inputs(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(Double(state % 20_001) / 10_000 - 1) * 1.7
        }
    }

    private func newCache(_ model: DeepSeekModel) throws -> LatentKVCache {
        let cache = LatentKVCache(layers: model.config.numHiddenLayers, capacity: model.contextSize, latentDim: model.config.latentDim,
                                  format: model.cacheFormat)
        try cache.reserve()
        return cache
    }

    /// With either cache format. A bf16 cache rounds each latent as it is written, so where the two
    /// paths' float32 latents differ in their last bits one can round to the neighbouring bf16 value: the
    /// cached values then agree to one bf16 step (2^-8 of their size) and the outputs to its effect.
    func testAttentionTokenByTokenEqualsOneBatch() throws {
        for name in Self.fixtures {
            for format in LatentCacheFormat.allCases {
                let model = try load(name, cacheFormat: format)
                let dim = model.config.hiddenSize, n = 11
                for (index, layer) in model.layers.enumerated() {
                    let x = inputs(n * dim, seed: UInt64(7 + index))
                    var batched = [Float](repeating: 0, count: n * dim), stepped = batched
                    let batchCache = try newCache(model), stepCache = try newCache(model)
                    x.withUnsafeBufferPointer { x in
                        layer.attention(x.baseAddress!, &batched, count: n, spans: [SequenceSpan(row: 0, count: n, position: 0, cache: batchCache)],
                                        layer: index, workspace: model.workspace, pool: model.workerPool)
                        stepped.withUnsafeMutableBufferPointer { out in
                            for t in 0..<n {
                                layer.attention(x.baseAddress! + t * dim, out.baseAddress! + t * dim, count: 1,
                                                spans: [SequenceSpan(row: 0, count: 1, position: t, cache: stepCache)],
                                                layer: index, workspace: model.workspace, pool: model.workerPool)
                            }
                        }
                    }
                    XCTAssertGreaterThan(batched.map(abs).max()!, 1e-3, "the layer computes something")
                    XCTAssertLessThan(maxAbsDifference(batched, stepped), format == .f32 ? 1e-4 : 1e-2,
                                      "\(name) \(format) layer \(index) attention")
                    let cached = batchCache.layer(index).values(rows: n)
                    let steppedCached = stepCache.layer(index).values(rows: n)
                    let step: (Float) -> Float = { format == .f32 ? 1e-5 : abs($0) / 256 }
                    for (a, b) in zip(cached, steppedCached) {
                        XCTAssertLessThanOrEqual(abs(a - b), step(max(abs(a), abs(b))), "\(name) \(format) layer \(index) cached latents")
                    }
                }
            }
        }
    }

    func testAttentionOfAMixedBatchEqualsEachSequenceAlone() throws {
        for name in Self.fixtures {
            let model = try load(name)
            let dim = model.config.hiddenSize, layer = model.layers[0]
            let prefix = inputs(9 * dim, seed: 3), x = inputs(6 * dim, seed: 4)
            // Sequence A has 9 tokens cached and gets 1 more; sequence B gets its first 5.
            let a = try newCache(model), b = try newCache(model), aloneA = try newCache(model), aloneB = try newCache(model)
            var scratch = [Float](repeating: 0, count: 9 * dim)
            var mixed = [Float](repeating: 0, count: 6 * dim), alone = mixed
            prefix.withUnsafeBufferPointer { p in
                for cache in [a, aloneA] {
                    layer.attention(p.baseAddress!, &scratch, count: 9, spans: [SequenceSpan(row: 0, count: 9, position: 0, cache: cache)],
                                    layer: 0, workspace: model.workspace, pool: model.workerPool)
                }
            }
            x.withUnsafeBufferPointer { x in
                layer.attention(x.baseAddress!, &mixed, count: 6,
                                spans: [SequenceSpan(row: 0, count: 1, position: 9, cache: a),
                                        SequenceSpan(row: 1, count: 5, position: 0, cache: b)],
                                layer: 0, workspace: model.workspace, pool: model.workerPool)
                alone.withUnsafeMutableBufferPointer { out in
                    layer.attention(x.baseAddress!, out.baseAddress!, count: 1, spans: [SequenceSpan(row: 0, count: 1, position: 9, cache: aloneA)],
                                    layer: 0, workspace: model.workspace, pool: model.workerPool)
                    layer.attention(x.baseAddress! + dim, out.baseAddress! + dim, count: 5,
                                    spans: [SequenceSpan(row: 0, count: 5, position: 0, cache: aloneB)],
                                    layer: 0, workspace: model.workspace, pool: model.workerPool)
                }
            }
            XCTAssertLessThan(maxAbsDifference(mixed, alone), 1e-4, "\(name) mixed batch attention")
        }
    }

    func testMixtureOfExpertsTokenByTokenEqualsOneBatch() throws {
        for name in Self.fixtures {
            let model = try load(name)
            let dim = model.config.hiddenSize
            var checked = 0
            // 5: the small-batch path (every expert in two regions); 13: expert by expert.
            for (index, layer) in model.layers.enumerated() {
                guard case .moe(let moe) = layer.feedForward else { continue }
                for n in [5, 13] {
                    let x = inputs(n * dim, seed: UInt64(11 + index))
                    var batched = [Float](repeating: 0, count: n * dim), stepped = batched
                    x.withUnsafeBufferPointer { x in
                        moe(x.baseAddress!, &batched, count: n, dim: dim, workspace: model.workspace, pool: model.workerPool)
                        stepped.withUnsafeMutableBufferPointer { out in
                            for t in 0..<n {
                                moe(x.baseAddress! + t * dim, out.baseAddress! + t * dim, count: 1, dim: dim,
                                    workspace: model.workspace, pool: model.workerPool)
                            }
                        }
                    }
                    XCTAssertGreaterThan(batched.map(abs).max()!, 1e-3, "the layer computes something")
                    XCTAssertLessThan(maxAbsDifference(batched, stepped), 1e-4, "\(name) layer \(index) MoE, \(n) tokens")
                    checked += 1
                }
            }
            XCTAssertGreaterThan(checked, 0, "\(name) has MoE layers")
        }
    }
}
