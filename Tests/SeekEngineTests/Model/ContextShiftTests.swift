import XCTest
@testable import SeekEngine

/// Context shift without recomputation: dropping cached tokens [a, b) moves the later ones back by
/// d = b - a, each layer's latent copied and its rope key rotated by -d.
///
/// What is exact, and checked here: a cached row (normalised latent + rotated rope key) depends only on
/// the layer's input for that token and its position, so the shifted rows equal a fresh prefill's rows
/// whenever the inputs are the same. That holds for every layer fed the same inputs (the MLA layer alone),
/// and end to end for a model cut to its first layer, whose inputs are the token embeddings. In a deeper
/// model the kept tokens' inputs to layers 1+ were computed while the dropped tokens were in context, so
/// no shift (nor llama.cpp's) can equal a fresh prefill of the shortened sequence there.
///
/// YaRN fixtures, positions crossing original_max_position_embeddings, and tiny-v2 with mscale ≠
/// mscale_all_dim: a rotation that scaled the cached keys again would show.
final class ContextShiftTests: XCTestCase {
    private static let fixtures = ["tiny-lite", "tiny-v2", "tiny-v3"]
    private static let drops = [10..<150, 0..<60, 1..<2, 280..<296]

    /// The fixture's model cut to its first layer (embedding, layer 0, norm, lm_head).
    private func firstLayerModel(_ name: String) throws -> (DeepSeekModel, [Int]) {
        let folder = try SharedData.fixture(name)
        var config = try ModelConfig.load(path: folder + "/config.json")
        // The layers cut off stay in the checkpoint; declared as trailing extra (MTP-like) layers, they
        // pass the check that every tensor is used.
        config.numNextNPredictLayers = config.numHiddenLayers - 1
        config.numHiddenLayers = 1
        var options = LoadOptions()
        options.contextSize = 320
        let model = try DeepSeekModel(config: config, store: try TensorStore(folder: folder), folder: folder, options: options)
        let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
        return (model, try XCTUnwrap(reference.tensors["long.ids"]).integers())
    }

    func testShiftedLogitsEqualAFreshPrefill() throws {
        for name in Self.fixtures {
            let (model, long) = try firstLayerModel(name)
            let vocab = model.vocabularySize
            // 296 tokens cached (past original_max_position_embeddings), then a range dropped.
            let cached = Array(long[0..<296]), next = Array(long[296..<300])
            for (i, drop) in Self.drops.enumerated() {
                model.resetCache()
                _ = try model.forward(cached)
                model.removeCachedTokens(in: drop)
                XCTAssertEqual(model.cachedTokens, cached.count - drop.count)
                var shifted: [Float] = []
                if i % 2 == 0 {
                    for id in next { shifted += try model.forward([id]) }
                } else {
                    shifted = try model.forward(next, allLogits: true)
                }
                var kept = cached
                kept.removeSubrange(drop)
                model.resetCache()
                let fresh = try model.forward(kept + next, allLogits: true)
                let err = maxAbsDifference(shifted, Array(fresh.suffix(next.count * vocab)))
                print("\(name) shift \(drop): max |Δlogit| = \(err)")
                XCTAssertLessThan(err, 1e-4, "\(name) after dropping \(drop)")
            }

            // The same on a batch sequence, next to one that is not shifted.
            let a = try model.makeSequence(), b = try model.makeSequence()
            _ = try model.forward([SequenceStep(sequence: a, tokens: Array(long[0..<140])),
                                   SequenceStep(sequence: b, tokens: Array(long[150..<160]))])
            model.removeCachedTokens(of: a, in: 5..<105)
            let both = try model.forward([SequenceStep(sequence: a, tokens: [long[140]]),
                                          SequenceStep(sequence: b, tokens: [long[160]])])
            model.resetCache()
            let freshA = try model.forward(Array(long[0..<5]) + Array(long[105..<141]))
            model.resetCache()
            let freshB = try model.forward(Array(long[150..<161]))
            XCTAssertLessThan(maxAbsDifference(both[0], freshA), 1e-4, "\(name) shifted batch sequence")
            XCTAssertLessThan(maxAbsDifference(both[1], freshB), 1e-4, "\(name) its neighbour")
        }
    }

    /// Every layer's attention, fed the same inputs: after the shift, the next tokens' outputs and the
    /// cached rows equal those of the shortened inputs prefilled from position 0.
    func testEveryLayerShiftsExactly() throws {
        try checkEveryLayerShifts(cache: .f32, outputTolerance: 1e-4, rowTolerance: 1e-4)
    }

    /// The same with a bf16 cache, whose rotated rope keys are rounded again: they may differ from a fresh
    /// prefill's by that rounding (a few parts in 1,000), far below what a wrong rotation gives.
    func testEveryLayerShiftsABF16Cache() throws {
        try checkEveryLayerShifts(cache: .bf16, outputTolerance: 2e-2, rowTolerance: 2e-2)
    }

    private func checkEveryLayerShifts(cache format: LatentCacheFormat, outputTolerance: Float, rowTolerance: Float) throws {
        for name in Self.fixtures {
            let folder = try SharedData.fixture(name)
            var options = LoadOptions()
            options.contextSize = 320
            options.batchSize = 300
            options.cacheFormat = format
            let model = try DeepSeekModel.load(folder: folder, options: options)
            let dim = model.config.hiddenSize, latentDim = model.config.latentDim
            func cache() throws -> LatentKVCache {
                let cache = LatentKVCache(layers: model.config.numHiddenLayers, capacity: model.contextSize, latentDim: latentDim,
                                          format: model.cacheFormat)
                try cache.reserve()
                return cache
            }
            var state: UInt64 = 0x9E3779B97F4A7C15
            let x: [Float] = (0..<(300 * dim)).map { _ in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return Float(Double(state % 20_001) / 10_000 - 1) * 1.7
            }
            let drop = 20..<170, n = 296, next = 4
            for (index, layer) in model.layers.enumerated() {
                let shiftedCache = try cache(), freshCache = try cache()
                var kept = Array(x[0..<(n * dim)])
                kept.removeSubrange((drop.lowerBound * dim)..<(drop.upperBound * dim))
                let keptCount = n - drop.count
                var scratch = [Float](repeating: 0, count: n * dim)
                var shifted = [Float](repeating: 0, count: next * dim), fresh = shifted
                func attend(_ input: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
                            _ position: Int, _ cache: LatentKVCache) {
                    layer.attention(input, out, count: count, spans: [SequenceSpan(row: 0, count: count, position: position, cache: cache)],
                                    layer: index, workspace: model.workspace, pool: model.workerPool)
                }
                x.withUnsafeBufferPointer { x in
                    attend(x.baseAddress!, &scratch, n, 0, shiftedCache)
                    shiftedCache.count = n
                    shiftedCache.removeTokens(in: drop, rope: layer.attention.rope,
                                              cos: model.workspace.ropeCos, sin: model.workspace.ropeSin)
                    attend(x.baseAddress! + n * dim, &shifted, next, keptCount, shiftedCache)
                    kept.withUnsafeBufferPointer { attend($0.baseAddress!, &scratch, keptCount, 0, freshCache) }
                    attend(x.baseAddress! + n * dim, &fresh, next, keptCount, freshCache)
                }
                XCTAssertLessThan(maxAbsDifference(shifted, fresh), outputTolerance, "\(name) \(format) layer \(index) attention after a shift")
                XCTAssertLessThan(maxAbsDifference(shiftedCache.layer(index).values(rows: keptCount + next),
                                                   freshCache.layer(index).values(rows: keptCount + next)),
                                  rowTolerance, "\(name) \(format) layer \(index) cached rows after a shift")
            }
        }
    }

    /// The generator keeps its record of cached ids in step with the model's cache.
    func testGeneratorDropsTheSameIds() throws {
        var options = LoadOptions()
        options.contextSize = 64
        let model = try DeepSeekModel.load(folder: try SharedData.fixture("tiny-lite"), options: options)
        let generator = Generator(model: model, stopTokenIds: [])
        var parameters = SamplingParameters()
        parameters.temperature = 0
        var sampler = Sampler(parameters)
        let prompt = Array(1...20)
        let first = try generator.generate(prompt: prompt, maxTokens: 4, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(generator.cachedIds.count, model.cachedTokens)
        generator.removeCachedTokens(in: 2..<12)
        XCTAssertEqual(generator.cachedIds, Array(prompt[0..<2]) + Array(prompt[12...]) + first.tokens.dropLast())
        XCTAssertEqual(model.cachedTokens, generator.cachedIds.count)
        // The shortened conversation goes on reusing the whole shifted cache.
        let kept = generator.cachedIds.count
        let again = try generator.generate(prompt: generator.cachedIds + [first.tokens.last!, 5], maxTokens: 2,
                                           sampler: &sampler) { _ in .continue }
        XCTAssertEqual(again.stats.reusedPromptTokens, kept)
    }
}
