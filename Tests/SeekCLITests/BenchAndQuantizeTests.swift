import Foundation
import XCTest

/// `seek bench` and `seek quantize` as a user types them.
final class BenchAndQuantizeTests: XCTestCase {
    private var fixture: String { TestPaths.fixture("tiny-lite") }

    private func seek(_ arguments: [String]) throws -> SeekRun {
        try SeekProcess.run(arguments, environment: TestPaths.isolatedEnvironment(home: try TestPaths.temporaryFolder(for: self)))
    }

    func testBenchReportsSpeedMemoryAndTheBandwidthLimit() throws {
        let run = try seek(["bench", "-m", fixture, "-p", "16", "-n", "4"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for line in ["prompt processing      16 tokens", "generation              4 tokens", "time to first token",
                     "of the limit", "resident after load"] {
            XCTAssertTrue(run.stdout.contains(line), "missing '\(line)' in:\n\(run.stdout)")
        }
    }

    func testBenchJSON() throws {
        let run = try seek(["bench", "-m", fixture, "-p", "8", "-n", "3", "--quant", "q8", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["prompt_tokens"] as? Int, 8)
        XCTAssertEqual(object["gen_tokens"] as? Int, 3)
        XCTAssertEqual(object["quant"] as? String, "q8")
        XCTAssertEqual(object["kv_cache_type"] as? String, "bf16", "quantized weights default to a bf16 cache")
        for key in ["prompt_tps", "gen_tps", "ttft_ms", "peak_rss_bytes", "gen_ceiling_tps", "gen_fraction_of_ceiling"] {
            XCTAssertNotNil(object[key] as? Double ?? (object[key] as? Int).map(Double.init), key)
        }
    }

    /// --cache-type chooses the cache's format (float weights default to f32); its bytes follow.
    func testBenchCacheType() throws {
        var bytes: [String: Int] = [:]
        for (arguments, expected) in [([], "f32"), (["--cache-type", "bf16"], "bf16"), (["--quant", "q4", "--cache-type", "f32"], "f32")] {
            let run = try seek(["bench", "-m", fixture, "-p", "8", "-n", "2", "--json"] + arguments)
            XCTAssertEqual(run.status, 0, run.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["kv_cache_type"] as? String, expected, "\(arguments)")
            bytes[expected] = object["kv_cache_bytes"] as? Int
        }
        XCTAssertEqual(bytes["f32"], 2 * bytes["bf16"]!)
        let bad = try seek(["bench", "-m", fixture, "--cache-type", "f16"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--cache-type"), bad.stderr)
    }

    /// --depth fills the cache first; --verbose adds where the time went, phase by phase.
    func testBenchDepthAndPhaseBreakdown() throws {
        let run = try seek(["bench", "-m", fixture, "-p", "8", "-n", "3", "--depth", "40", "--verbose"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for line in ["depth              40 tokens in the cache", "where the time goes prompt: attention",
                     "generation: attention", "experts", "dense", "lm_head", "other"] {
            XCTAssertTrue(run.stdout.contains(line), "missing '\(line)' in:\n\(run.stdout)")
        }
        let json = try seek(["bench", "-m", fixture, "-p", "8", "-n", "3", "--depth", "20", "--verbose", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["depth"] as? Int, 20)
        let phases = try XCTUnwrap(object["gen_phases_s"] as? [String: Double])
        for key in ["attention", "experts", "dense", "lm_head", "other", "total"] { XCTAssertNotNil(phases[key], key) }
        XCTAssertGreaterThan(phases["total"]!, 0)
        XCTAssertGreaterThan(phases["attention"]!, 0)
        let bad = try seek(["bench", "-m", fixture, "--depth", "-3"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--depth"), bad.stderr)
    }

    /// -c/--ctx-size sizes the cache as llama-bench scripts pass it; too small for the run is a usage error.
    func testBenchContextSize() throws {
        let run = try seek(["bench", "-m", fixture, "-p", "8", "-n", "3", "--depth", "40", "-c", "64", "--mmap"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("prompt processing"), run.stdout)
        XCTAssertTrue(run.stdout.contains("(weights mapped)"), run.stdout)
        let copied = try seek(["bench", "-m", fixture, "-p", "8", "-n", "3", "--no-mmap", "--json"])
        XCTAssertEqual(copied.status, 0, copied.stderr)
        XCTAssertTrue(copied.stdout.contains("\"weights\":\"copied into memory\""), copied.stdout)
        let small = try seek(["bench", "-m", fixture, "-p", "8", "-n", "3", "--depth", "40", "--ctx-size", "50"])
        XCTAssertEqual(small.status, 64)
        XCTAssertTrue(small.stderr.contains("--ctx-size must hold --depth + -p + -n = 51 tokens, got 50"), small.stderr)
    }

    /// --sequences measures several sequences decoding together, one line (or JSON row) per count.
    func testBenchSequences() throws {
        let run = try seek(["bench", "-m", fixture, "-p", "4", "-n", "3", "--sequences", "1,3", "--quant", "q4"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for line in [" 1 sequences", " 3 sequences", "tokens/s in all", "per sequence", "× one sequence"] {
            XCTAssertTrue(run.stdout.contains(line), "missing '\(line)' in:\n\(run.stdout)")
        }
        let json = try seek(["bench", "-m", fixture, "-p", "4", "-n", "2", "--sequences", "2", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(object["batched"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["sequences"] as? Int, 2)
        XCTAssertGreaterThan(rows[0]["tokens_per_s"] as? Double ?? 0, 0)
        for bad in ["0", "1,x", "", "65"] {
            let run = try seek(["bench", "-m", fixture, "--sequences", bad])
            XCTAssertEqual(run.status, 64, bad)
            XCTAssertTrue(run.stderr.contains("--sequences"), run.stderr)
        }
    }

    func testBenchRejectsTextPrompt() throws {
        let run = try seek(["bench", "-m", fixture, "-p", "hello"])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("-p takes a number of prompt tokens"), run.stderr)
    }

    func testQuantizeWithPositionalOutput() throws {
        let folder = try TestPaths.temporaryFolder(for: self) + "/tiny-q4"
        let run = try seek(["quantize", "-m", fixture, "--quant", "q4", folder])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/model.safetensors"))
        let missing = try seek(["quantize", "-m", fixture, folder + "-2"])
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.contains("--quant q8|q4"), missing.stderr)
    }
}
