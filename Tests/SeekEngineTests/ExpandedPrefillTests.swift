import XCTest
@testable import SeekEngine

/// Prefill attention in the expanded form (ExpandedPrefillAttention.swift) against the absorbed form
/// and the transformers oracle, with blocks small enough that short prompts cross key- and query-block
/// boundaries.
final class ExpandedPrefillTests: XCTestCase {
    override func tearDown() {
        ExpandedPrefill.forced = nil
        ExpandedPrefill.keyBlock = 256
        ExpandedPrefill.queryBlock = 64
    }

    private func load(_ fixture: String, cacheFormat: LatentCacheFormat = .f32) throws -> DeepSeekModel {
        var options = LoadOptions()
        options.contextSize = 512
        options.cacheFormat = cacheFormat
        return try DeepSeekModel.load(folder: try SharedData.fixture(fixture), options: options)
    }

    /// Every position's logits of `chunks` fed one forward call each, in the given form.
    private func logits(_ model: DeepSeekModel, _ chunks: [[Int]], expanded: Bool) throws -> [Float] {
        ExpandedPrefill.forced = expanded
        model.resetCache()
        var out: [Float] = []
        for chunk in chunks { out += try model.forward(chunk, allLogits: true) }
        return out
    }

    /// With either cache format. A bf16 cache's rows are rounded as they are written, so where the two
    /// forms' float32 sums differ in their last bits, a deeper layer's latent can round to the next bf16
    /// value (0.4 % apart): the forms then agree to that rounding's effect (measured up to 6e-3), not to
    /// float32's. A row read from the wrong place, or not converted, is off by far more.
    func testExpandedEqualsAbsorbed() throws {
        ExpandedPrefill.keyBlock = 16
        ExpandedPrefill.queryBlock = 8
        var random = KernelTestRandom(seed: 9)
        for (fixture, format) in ["tiny-lite", "tiny-v2", "tiny-v3"].flatMap({ f in LatentCacheFormat.allCases.map { (f, $0) } }) {
            let model = try load(fixture, cacheFormat: format)
            let vocab = model.config.vocabSize
            func ids(_ n: Int) -> [Int] { (0..<n).map { _ in Int(random.next() % UInt64(vocab)) } }
            // Lengths around the block sizes, and prompts after a cached prefix (queries not starting at 0,
            // key blocks not aligned with query blocks).
            let cases: [[[Int]]] = [[ids(2)], [ids(15)], [ids(16)], [ids(17)], [ids(33)], [ids(70)],
                                    [ids(21), ids(40)], [ids(16), ids(16), ids(9)]]
            for chunks in cases {
                let absorbed = try logits(model, chunks, expanded: false)
                let expanded = try logits(model, chunks, expanded: true)
                let err = maxAbsDifference(expanded, absorbed)
                XCTAssertLessThan(err, format == .f32 ? 1e-4 : 3e-2, "\(fixture) \(format) chunks \(chunks.map(\.count))")
            }
        }
    }

    /// The 300-token prompt past original_max_position_embeddings (yarn) of ReferenceLogitsTests, in the
    /// expanded form with the default and with small blocks.
    func testLongYarnPromptMatchesOracle() throws {
        for fixture in ["tiny-lite", "tiny-v2", "tiny-v3"] {
            let folder = try SharedData.fixture(fixture)
            let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
            let ids = try reference.tensors["long.ids"]!.integers()
            let expected = try reference.tensors["long.last_logits"]!.floats()
            let model = try load(fixture)
            for (keys, queries) in [(256, 64), (32, 16)] {
                ExpandedPrefill.keyBlock = keys
                ExpandedPrefill.queryBlock = queries
                ExpandedPrefill.forced = true
                model.resetCache()
                let err = maxAbsDifference(try model.forward(ids), expected)
                print("\(fixture) long, expanded (\(keys)/\(queries)): max |Δlogit| = \(err)")
                XCTAssertLessThan(err, ReferenceLogitsTests.tolerance, "\(fixture) long, blocks \(keys)/\(queries)")
            }
        }
    }
}
