import XCTest
@testable import SeekEngine

/// Quantized weights against the float32 oracle.
///
/// The fixtures are tiny random-weight models whose top-2 logits are sometimes nearly tied (transformers'
/// own greedy margins go down to 0.005): at such a position any 8-bit rounding, even of the lm_head alone,
/// can swap the two. So agreement is reported over every position, and the ≥ 98 % bound for q8 is asserted
/// over the positions where the reference's top-1 leads by at least `decisiveMargin`.
final class QuantizationQualityTests: XCTestCase {
    static let decisiveMargin: Float = 0.5

    struct Quality {
        var agree = 0, total = 0, decisiveAgree = 0, decisiveTotal = 0
        var maxError: Float = 0
        var agreement: Double { Double(agree) / Double(total) }
        var decisiveAgreement: Double { Double(decisiveAgree) / Double(decisiveTotal) }
    }

    private func quality(_ fixture: String, _ format: QuantFormat?, cache: LatentCacheFormat? = nil) throws -> Quality {
        let folder = try SharedData.fixture(fixture)
        let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
        var options = LoadOptions()
        options.contextSize = 512
        options.quantization = format
        options.cacheFormat = cache
        let model = try DeepSeekModel.load(folder: folder, options: options)
        let vocab = model.config.vocabSize
        var q = Quality()
        for prompt in ["prompt0", "prompt1", "prompt2"] {
            let ids = try reference.tensors["\(prompt).ids"]!.integers()
            let expected = try reference.tensors["\(prompt).logits"]!.floats()
            model.resetCache()
            let logits = try model.forward(ids, allLogits: true)
            q.maxError = max(q.maxError, maxAbsDifference(logits, expected))
            for t in 0..<ids.count {
                let row = expected[(t * vocab)..<((t + 1) * vocab)]
                let best = Sampler.argmax(row)
                let sorted = row.sorted(by: >)
                let same = Sampler.argmax(logits[(t * vocab)..<((t + 1) * vocab)]) == best
                q.total += 1
                q.agree += same ? 1 : 0
                if sorted[0] - sorted[1] >= Self.decisiveMargin {
                    q.decisiveTotal += 1
                    q.decisiveAgree += same ? 1 : 0
                }
            }
        }
        print("\(fixture) \(format?.rawValue ?? "float weights") \(model.cacheFormat) cache: top-1 agreement \(q.agree)/\(q.total) (\(String(format: "%.1f", q.agreement * 100)) %), "
              + "\(q.decisiveAgree)/\(q.decisiveTotal) where the reference margin ≥ \(Self.decisiveMargin); max |Δlogit| \(q.maxError)")
        return q
    }

    /// q8: ≥ 98 % top-1 agreement over the decisive positions of all fixtures together (a routing flip
    /// at one position of one fixture is 4 % of that fixture alone), ≥ 85 % over every position of each.
    func testQ8AgreesWithReference() throws {
        var decisiveAgree = 0, decisiveTotal = 0
        for fixture in ["tiny-lite", "tiny-v2", "tiny-v3"] {
            let q = try quality(fixture, .q8)
            XCTAssertGreaterThanOrEqual(q.decisiveTotal, q.total / 2, "\(fixture): too few decisive positions to judge")
            XCTAssertGreaterThanOrEqual(q.agreement, 0.85, fixture)
            decisiveAgree += q.decisiveAgree
            decisiveTotal += q.decisiveTotal
        }
        let overall = Double(decisiveAgree) / Double(decisiveTotal)
        print("q8 overall: \(decisiveAgree)/\(decisiveTotal) decisive positions agree")
        XCTAssertGreaterThanOrEqual(overall, 0.98)
    }

    /// A bf16 KV cache on the float weights: what rounding every cached latent to 8 significant bits costs
    /// alone, against the float32 oracle (whose cache is float32). Decisive positions must all agree.
    func testBF16CacheAgreesWithReference() throws {
        for fixture in ["tiny-lite", "tiny-v2", "tiny-v3"] {
            let q = try quality(fixture, nil, cache: .bf16)
            XCTAssertEqual(q.decisiveAgree, q.decisiveTotal, "\(fixture): decisive positions")
            XCTAssertGreaterThan(q.maxError, 1e-4, "\(fixture): the cache is rounded (else this tests nothing)")
        }
    }

    /// The int8-token prefill against the float32-token prefill on the same quantized weights: what
    /// rounding the activations to 8 bits costs on top of the weights' rounding, at every position of
    /// the fixtures' prompts.
    func testInt8TokensAgainstFloatTokens() throws {
        for format in QuantFormat.allCases {
            var agree = 0, total = 0
            var worst: Float = 0
            for fixture in ["tiny-lite", "tiny-v2", "tiny-v3"] {
                let folder = try SharedData.fixture(fixture)
                let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
                var options = LoadOptions()
                options.contextSize = 512
                options.quantization = format
                options.int8Tokens = false
                let floatTokens = try DeepSeekModel.load(folder: folder, options: options)
                options.int8Tokens = true
                let int8Tokens = try DeepSeekModel.load(folder: folder, options: options)
                let vocab = floatTokens.config.vocabSize
                var fixtureAgree = 0, fixtureTotal = 0
                var fixtureWorst: Float = 0
                for prompt in ["prompt0", "prompt1", "prompt2"] {
                    let ids = try reference.tensors["\(prompt).ids"]!.integers()
                    let a = try floatTokens.forward(ids, allLogits: true), b = try int8Tokens.forward(ids, allLogits: true)
                    floatTokens.resetCache()
                    int8Tokens.resetCache()
                    fixtureWorst = max(fixtureWorst, maxAbsDifference(a, b))
                    for t in 0..<ids.count {
                        let range = (t * vocab)..<((t + 1) * vocab)
                        fixtureAgree += Sampler.argmax(a[range]) == Sampler.argmax(b[range]) ? 1 : 0
                        fixtureTotal += 1
                    }
                }
                print("\(fixture) \(format.rawValue): int8 vs float32 tokens: top-1 agreement \(fixtureAgree)/\(fixtureTotal), "
                      + "max |Δlogit| \(fixtureWorst)")
                agree += fixtureAgree
                total += fixtureTotal
                worst = max(worst, fixtureWorst)
            }
            print("\(format.rawValue) int8 vs float32 tokens overall: \(agree)/\(total), max |Δlogit| \(worst)")
            // Random-weight fixtures with near-tied top-2 logits: a few flips are expected, most must hold.
            XCTAssertGreaterThanOrEqual(Double(agree) / Double(total), 0.85, format.rawValue)
        }
    }

    func testQ4IsReported() throws {
        for fixture in ["tiny-lite", "tiny-v2", "tiny-v3"] {
            let q = try quality(fixture, .q4)
            XCTAssertGreaterThanOrEqual(q.agreement, 0.3, fixture)  // sanity: 4 bits on tiny random weights
        }
    }
}

/// `seek quantize` output: written once, loaded by mmap, same logits as quantizing at load time.
final class ModelQuantizerTests: XCTestCase {
    func testWrittenModelMatchesLoadTimeQuantization() throws {
        let folder = try SharedData.fixture("tiny-v2")   // sharded f16 input
        let out = NSTemporaryDirectory() + "seek-quant-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let summary = try ModelQuantizer.quantize(folder: folder, format: .q4, output: out)
        XCTAssertGreaterThan(summary.quantizedTensors, 0)
        XCTAssertLessThan(summary.outputBytes, summary.inputBytes)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/config.json"))

        var options = LoadOptions()
        options.contextSize = 64
        let prequantized = try DeepSeekModel.load(folder: out, options: options)
        options.quantization = .q4
        let onTheFly = try DeepSeekModel.load(folder: folder, options: options)
        let ids = [3, 14, 15, 92, 65]
        XCTAssertEqual(try prequantized.forward(ids, allLogits: true), try onTheFly.forward(ids, allLogits: true))
        XCTAssertEqual(try prequantized.forward([7]), try onTheFly.forward([7]))

        XCTAssertThrowsError(try ModelQuantizer.quantize(folder: folder, format: .q8, output: out)) { error in
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
        }
    }

    /// A file quantized with another byte layout (or by a seek from before the layout was recorded) is
    /// refused with a one-line error naming the file, never read as garbage.
    func testOtherLayoutIsRefused() throws {
        let folder = try SharedData.fixture("tiny-lite")
        let out = NSTemporaryDirectory() + "seek-quant-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = try ModelQuantizer.quantize(folder: folder, format: .q8, output: out)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".safetensors") }
        for name in files {
            let path = out + "/" + name
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
            var metadata = header["__metadata__"] as! [String: String]
            XCTAssertEqual(metadata[QuantFormat.layoutKey], QuantFormat.layout)
            metadata.removeValue(forKey: QuantFormat.layoutKey)
            header["__metadata__"] = metadata
            var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
            while json.count % 8 != 0 { json.append(0x20) }
            var newLength = UInt64(json.count).littleEndian
            data = Data(bytes: &newLength, count: 8) + json + data.subdata(in: (8 + length)..<data.count)
            try data.write(to: URL(fileURLWithPath: path))
        }
        XCTAssertThrowsError(try DeepSeekModel.load(folder: out, options: LoadOptions())) { error in
            // The engine names the file and the layouts; the command line adds "with seek quantize".
            XCTAssertEqual((error as? ModelFileError)?.problem,
                           .quantizationLayout(found: "none", expected: QuantFormat.layout, key: QuantFormat.layoutKey))
            let message = "\(error)"
            XCTAssertTrue(message.contains(".safetensors") && message.contains("layout") && message.contains("quantize the original model again"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
    }
}
