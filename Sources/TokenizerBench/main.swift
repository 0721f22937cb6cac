// Measures tokenizer load time and encoding speed on ~1 MB of mixed English/Chinese/code text.
// Usage: swift run -c release TokenizerBench [tokenizer folder] [megabytes]
import Foundation
import SeekTokenizer
import SeekJSON

let arguments = CommandLine.arguments
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let folder = arguments.count > 1 ? arguments[1] : packageRoot.deletingLastPathComponent()
    .appendingPathComponent("shared/tokenizer").path
let megabytes = arguments.count > 2 ? Double(arguments[2]) ?? 1 : 1

/// CPU time of this thread: on a shared machine wall time also counts waiting for a core.
func threadCPUTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

nonisolated(unsafe) var lastWallTime = 0.0

/// Runs `body` and returns its CPU seconds (the wall seconds go to `lastWallTime`).
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = threadCPUTime()
    try body()
    lastWallTime = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return threadCPUTime() - cpuStart
}

do {
    var tokenizer: Tokenizer!
    let loadTime = try seconds { tokenizer = try Tokenizer(folder: folder) }
    print(String(format: "load: %.3f s CPU, %.3f s wall (%d ids)", loadTime, lastWallTime, tokenizer.vocabularySize))

    // The corpus: the strings of cases.jsonl (English, Chinese, code, numbers, emoji), concatenated in a
    // shuffled order with varying numbers so that not every word is a cache hit.
    let casesPath = URL(fileURLWithPath: folder).appendingPathComponent("cases.jsonl").path
    var samples: [String] = []
    if let text = try? String(contentsOfFile: casesPath, encoding: .utf8) {
        for line in text.split(separator: "\n") {
            if let sample = (try? JSONParser.parse(String(line)))?["text"]?.stringValue, !sample.isEmpty {
                samples.append(sample)
            }
        }
    }
    if samples.isEmpty {
        samples = ["The quick brown fox jumps over the lazy dog. ", "深度求索的语言模型支持中文和英文。",
                   "func add(_ a: Int, _ b: Int) -> Int {\n    return a + b\n}\n"]
    }
    var generator = SystemRandomNumberGenerator()
    var corpus = ""
    let target = Int(megabytes * 1_000_000)
    var counter = 0
    while corpus.utf8.count < target {
        corpus += samples[Int.random(in: 0..<samples.count, using: &generator)]
        counter += 1
        if counter % 7 == 0 { corpus += " \(Int.random(in: 0..<100_000, using: &generator))\n" }
    }
    let bytes = Double(corpus.utf8.count)
    var ids: [Int] = []
    let cold = try seconds { ids = try tokenizer.encode(corpus) }
    let coldWall = lastWallTime
    let warm = try seconds { ids = try tokenizer.encode(corpus) }
    let warmWall = lastWallTime
    print(String(format: "text: %.2f MB (%d scalars), %d tokens", bytes / 1e6, corpus.unicodeScalars.count, ids.count))
    print(String(format: "encode (fresh cache): %.3f s CPU (%.3f s wall) = %.2f MB/s, %.0f tokens/s", cold, coldWall,
                 bytes / 1e6 / cold, Double(ids.count) / cold))
    print(String(format: "encode (warm cache):  %.3f s CPU (%.3f s wall) = %.2f MB/s, %.0f tokens/s", warm, warmWall,
                 bytes / 1e6 / warm, Double(ids.count) / warm))
    var decoded = ""
    let decodeTime = seconds { decoded = tokenizer.decode(ids, skipSpecialTokens: false) }
    print(String(format: "decode: %.3f s CPU (%d characters)", decodeTime, decoded.count))
    // Degenerate inputs must stay fast too (no quadratic regex or merge behaviour).
    let stress: [(String, String)] = [
        ("spaces", String(repeating: " ", count: 200_000) + "x"),
        ("letters", String(repeating: "a", count: 200_000)),
        ("digits", String(repeating: "7", count: 200_000)),
        ("Chinese run", String(repeating: "深度求索", count: 50_000)),
        ("newlines", String(repeating: "\n \t", count: 50_000)),
    ]
    for (name, text) in stress {
        var count = 0
        let time = try seconds { count = try tokenizer.encode(text).count }
        print(String(format: "stress %@: %d scalars -> %d tokens in %.3f s CPU", name, text.unicodeScalars.count, count, time))
    }
} catch {
    print("error: \(error)")
    exit(1)
}
