import Foundation
import XCTest
import SeekTokenizer
@testable import SeekEngine

/// Perplexity of the bundled seek-mini on its held-out text (the split Scripts/bundled/evaluate.py scores:
/// every document whose index within its source is 7 mod 40, as [BOS] text [EOS], concatenated, cut into
/// 256-token windows), in bf16 and quantized, with float32 and int8 tokens in prefill, and with a float32
/// and a bf16 KV cache.
///
/// The text comes from Debian packages, so it is rebuilt rather than shipped:
///   apt-get install -y bible-kjv bible-kjv-text fortunes fortunes-min
///   python3 Scripts/bundled/extract_corpus.py          # writes Scripts/bundled/build/heldout.jsonl
/// Without it the test is skipped. The bf16 figure must reproduce transformers' 51.80 (EVAL.md), which
/// shows the text and the windows are the ones the reference scored.
final class HeldOutPerplexityTests: XCTestCase {
    static let heldOutFile = SharedData.packageRoot.appendingPathComponent("Scripts/bundled/build/heldout.jsonl").path
    static let window = 256
    /// transformers' perplexity of seek-mini on this text (Scripts/bundled/EVAL.md).
    static let referencePerplexity = 51.80

    private func windows() throws -> [[Int]] {
        guard let text = try? String(contentsOfFile: Self.heldOutFile, encoding: .utf8) else {
            throw XCTSkip("no \(Self.heldOutFile): see this test's comment to rebuild the held-out text")
        }
        let tokenizer = try Tokenizer(folder: BundledModelTests.modelFolder)
        var stream: [Int] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            stream += try [0] + tokenizer.encode(object["text"] as! String, addSpecialTokens: false) + [1]
        }
        return stride(from: 0, to: stream.count, by: Self.window)
            .map { Array(stream[$0..<min(stream.count, $0 + Self.window)]) }
            .filter { $0.count > 1 }
    }

    /// exp(mean negative log-likelihood) of every window's tokens 2..n given the ones before.
    private func perplexity(_ windows: [[Int]], _ options: LoadOptions) throws -> Double {
        var options = options
        options.contextSize = Self.window
        let model = try DeepSeekModel.load(folder: BundledModelTests.modelFolder, options: options)
        let vocab = model.config.vocabSize
        var nll = 0.0, count = 0
        for w in windows {
            model.resetCache()
            let logits = try model.forward(w, allLogits: true)
            for t in 0..<(w.count - 1) {
                let row = logits[(t * vocab)..<((t + 1) * vocab)]
                let top = Double(row.max()!)
                let logSum = top + log(row.reduce(0.0) { $0 + exp(Double($1) - top) })
                nll += logSum - Double(row[row.startIndex + w[t + 1]])
                count += 1
            }
        }
        return exp(nll / Double(count))
    }

    func testQuantizedPerplexity() throws {
        let windows = try windows()
        XCTAssertEqual(windows.count, 191, "held-out windows (EVAL.md: 191)")
        XCTAssertEqual(windows.reduce(0) { $0 + $1.count - 1 }, 48_667, "predicted tokens (EVAL.md: 48,667)")

        var floatCache = LoadOptions()
        floatCache.cacheFormat = .f32
        let bf16 = try perplexity(windows, floatCache)
        XCTAssertEqual(bf16, Self.referencePerplexity, accuracy: 0.01, "bf16 must reproduce transformers' figure")
        var report = [String(format: "bf16 %.3f", bf16)]
        var results: [String: Double] = [:]
        var roundedCache = LoadOptions()
        roundedCache.cacheFormat = .bf16
        let bf16WithBF16Cache = try perplexity(windows, roundedCache)
        report.append(String(format: "bf16 with a bf16 cache %.3f (%+.2f %%)", bf16WithBF16Cache, 100 * (bf16WithBF16Cache / bf16 - 1)))
        for format in QuantFormat.allCases {
            for lmHead in format == .q4 ? [QuantFormat.q4, .q8] : [format] {
                for int8 in [false, true] {
                    for cache in LatentCacheFormat.allCases {
                        var options = LoadOptions()
                        options.quantization = format
                        options.lmHeadQuantization = lmHead
                        options.int8Tokens = int8
                        options.cacheFormat = cache
                        let p = try perplexity(windows, options)
                        let name = "\(format.rawValue) (lm_head \(lmHead.rawValue)), \(int8 ? "int8" : "float32") tokens, \(cache) cache"
                        results[name] = p
                        report.append(String(format: "%@ %.3f (%+.2f %%)", name, p, 100 * (p / bf16 - 1)))
                    }
                }
            }
        }
        print("seek-mini held-out perplexity: " + report.joined(separator: "; "))
        for (name, p) in results where name.hasPrefix("q8") {
            XCTAssertLessThanOrEqual(p / bf16 - 1, 0.005, "\(name): within 0.5 % of bf16")
        }
        // The bf16 cache's own cost, on float weights: what rounding every cached latent costs.
        XCTAssertLessThanOrEqual(abs(bf16WithBF16Cache / bf16 - 1), 0.005, "a bf16 cache within 0.5 % of a float32 one")
    }
}
