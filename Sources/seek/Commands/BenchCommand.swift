import ArgumentParser
import Foundation
import SeekChat
import SeekEngine
import SeekKernels
import SeekJSON

/// `seek bench`: llama-bench-style speed and memory figures, with generation put against the
/// memory-bandwidth bound (decode reads every active weight once per token).
///
/// Its -p and -n are numbers (prompt and generated tokens), not the root command's prompt text and
/// token limit: `seek bench …` is parsed by this command alone (see `Seek.main`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        _superCommandName: "seek",
        abstract: "Measure prompt processing and generation speed, time to first token and memory.",
        discussion: """
            Prefills a prompt of -p random tokens as one batch, then generates -n tokens greedily, after a \
            warm-up that pages the weights in. Generation is compared with its ceiling: the measured read \
            bandwidth divided by the bytes of weights one token reads (attention, shared and top-k routed \
            experts, lm_head).

            Examples:
              seek bench -m ~/models/DeepSeek-V2-Lite -p 512 -n 128
              seek bench -m lite --quant q4 -t 2
            """)

    @OptionGroup(title: "Model") var model: ModelChoice
    @OptionGroup(title: "Model") var registry: RegistryOptions

    @Option(name: .customShort("p"), help: ArgumentHelp("Prompt tokens to process as one batch.", valueName: "n"))
    var promptTokensText = "512"

    @Option(name: .customShort("n"), help: ArgumentHelp("Tokens to generate.", valueName: "n"))
    var generateTokens = 128

    @Option(name: .shortAndLong, help: ArgumentHelp("Worker threads (default: all cores).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("quant"), help: ArgumentHelp(
        "Quantize the weights to q8 or q4 blocks while loading.", valueName: "q8|q4"))
    var quantization: QuantFormat?

    @Option(name: .customLong("cache-type"), help: ArgumentHelp(
        "How the KV cache holds its values (default: bf16 for q8/q4 weights, f32 otherwise).", valueName: "f32|bf16"))
    var cacheType: LatentCacheFormat?

    @Option(name: .customLong("repetitions"), help: ArgumentHelp("Runs to make; the best is reported.", valueName: "n"))
    var repetitions = 1

    @Option(name: .customLong("depth"), help: ArgumentHelp(
        "Tokens already in the cache before the prompt, untimed, like llama-bench's -d.", valueName: "n"))
    var depth = 0

    @Option(name: [.customShort("c"), .customLong("ctx-size")], help: ArgumentHelp(
        "Tokens the KV cache holds (default: --depth + -p + -n + 16); it must hold them all.", valueName: "n"))
    var contextSize: Int?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Read the weights from the mapped files (--mmap) or copy them into memory (--no-mmap); default: copy when they fit in the memory available."))
    var mmap: Bool?

    @Option(name: .customLong("sequences"), help: ArgumentHelp(
        "Instead, decode this many sequences together (continuous batching), e.g. 1,2,4,8: each prefills -p "
            + "tokens, then all generate -n tokens in steps of one forward pass.", valueName: "list"))
    var sequencesText: String?

    @Flag(help: "Print the results as one JSON object on stdout.")
    var json = false

    @Flag(help: "Also print where the time goes: attention, experts, dense MLPs, lm_head, other.")
    var verbose = false

    /// -p N: prompt tokens to process.
    var promptTokens: Int { Int(promptTokensText) ?? 0 }

    /// --sequences 1,2,4: the batch sizes to measure (empty without the option).
    var sequenceCounts: [Int] {
        sequencesText.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } } ?? []
    }

    func validate() throws {
        guard Int(promptTokensText) != nil else {
            throw ValidationError("bench: -p takes a number of prompt tokens, got '\(promptTokensText)'")
        }
        guard promptTokens >= 1 else { throw ValidationError("-p must be at least 1, got \(promptTokens)") }
        guard generateTokens >= 1 else { throw ValidationError("-n must be at least 1, got \(generateTokens)") }
        // No context is larger (config values are bounded the same way); the sum sizes the cache.
        let most = 1 << 24
        guard promptTokens <= most else { throw ValidationError("-p must be at most \(most), got \(promptTokens)") }
        guard generateTokens <= most else { throw ValidationError("-n must be at most \(most), got \(generateTokens)") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard depth >= 0 else { throw ValidationError("--depth must be 0 or more, got \(depth)") }
        guard depth <= most else { throw ValidationError("--depth must be at most \(most), got \(depth)") }
        if let contextSize, contextSize < depth + promptTokens + generateTokens {
            throw ValidationError("--ctx-size must hold --depth + -p + -n = \(depth + promptTokens + generateTokens) tokens, got \(contextSize)")
        }
        if let threads, threads < 0 { throw ValidationError("--threads must be 0 (all cores) or more, got \(threads)") }
        if let sequencesText {
            let parts = sequencesText.split(separator: ",", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ Int($0.trimmingCharacters(in: .whitespaces)).map { (1...64).contains($0) } ?? false }) else {
                throw ValidationError("--sequences takes numbers from 1 to 64 separated by commas, got '\(sequencesText)'")
            }
        }
    }

    func run() throws {
        try CommandFailure.reporting {
            let startup = try ModelStartup(registryFile: registry.registryFile, model: model.model)
            try startup.check(.weights)
            var settings = LoadSettings(contextSize: contextSize ?? depth + promptTokens + generateTokens + 16, threads: threads ?? 0,
                                        quantization: quantization)
            settings.copyWeights = mmap.map { !$0 }
            settings.cacheFormat = cacheType
            let options = startup.loadOptions(settings)
            let resolved = startup.resolved
            // Bandwidth before loading and after the runs, the higher kept: on a shared machine one
            // measurement taken while a neighbour is busy would flatter the "% of the limit". The peak
            // memory count starts after the probe's buffer is gone.
            let bandwidthBefore = Benchmark.measureReadBandwidth(threads: options.threads > 0 ? options.threads
                                                                 : ProcessInfo.processInfo.activeProcessorCount)
            ProcessMemory.resetPeak()
            let loadStart = Date()
            let m = try startup.loadModel(settings)
            let loadSeconds = Date().timeIntervalSince(loadStart)
            let residentAfterLoad = ProcessMemory.residentBytes
            let workers = m.workerPool.threads
            Console.err("benchmarking \(resolved.displayName): \(m.config.modelType), \(m.config.numHiddenLayers) layers, "
                        + "\(m.weightFormatDescription), \(workers) thread(s), kernels: \(String(cString: sk_simd_name()))"
                        + (sk_amx_enabled() != 0 ? " + AMX tiles" : "") + "\n")

            if !sequenceCounts.isEmpty {
                try runBatched(m, name: resolved.displayName, quant: (m.storedQuantization ?? options.quantization)?.rawValue ?? "none")
                return
            }
            var best: Benchmark.Result?
            for _ in 0..<repetitions {
                let r = try Benchmark.run(model: m, promptTokens: promptTokens, generateTokens: generateTokens, depth: depth)
                if best == nil || r.generationTokensPerSecond > best!.generationTokensPerSecond { best = r }
            }
            let r = best!
            let residentAfterRun = ProcessMemory.residentBytes
            let peak = ProcessMemory.peakResidentBytes
            let bandwidth = max(bandwidthBefore, Benchmark.measureReadBandwidth(threads: workers))
            let sgemmRate = Benchmark.measureSgemmRate(threads: workers)
            let prefillRate = m.config.prefillFLOPs(tokens: promptTokens, after: depth) / r.prefillSeconds
            let active = m.activeBytesPerToken
            let ceiling = bandwidth / Double(active)
            let weightFiles = ModelSize.weightBytes(folder: resolved.folder)  // the files, links followed: one size everywhere
            let cacheBytes = m.cacheBytesPerToken * (depth + promptTokens + generateTokens)
            // Where generation reads the weights from: quantized at load, copied, or the mapped files.
            let weightPlacement = options.quantization != nil && m.storedQuantization == nil ? "quantized in memory"
                : m.weightsCopied ? "copied into memory" : "mapped"

            if json {
                var object: JSONObject = [
                    "model": .string(resolved.displayName), "quant": .string((m.storedQuantization ?? options.quantization)?.rawValue ?? "none"),
                    "threads": .int(workers), "prompt_tokens": .int(promptTokens), "gen_tokens": .int(generateTokens), "depth": .int(depth),
                    "prompt_tps": .double(r.promptTokensPerSecond), "gen_tps": .double(r.generationTokensPerSecond),
                    "ttft_ms": .double(r.firstTokenSeconds * 1000), "load_s": .double(loadSeconds),
                    "weights": .string(weightPlacement),
                    "weight_file_bytes": .int(weightFiles), "rss_after_load_bytes": .int(residentAfterLoad),
                    "rss_after_run_bytes": .int(residentAfterRun), "peak_rss_bytes": .int(peak),
                    "kv_cache_bytes": .int(cacheBytes), "kv_cache_type": .string(m.cacheFormat.rawValue),
                    "active_bytes_per_token": .int(active),
                    "read_bandwidth_bytes_per_s": .double(bandwidth), "gen_ceiling_tps": .double(ceiling),
                    "gen_fraction_of_ceiling": .double(r.generationTokensPerSecond / ceiling),
                    "prompt_flops_per_s": .double(prefillRate), "sgemm_flops_per_s": .double(sgemmRate),
                ]
                if verbose {
                    object["prompt_phases_s"] = Self.phaseObject(r.prefillPhases)
                    object["gen_phases_s"] = Self.phaseObject(r.decodePhases)
                }
                // Keys sorted, one line; a number that is not finite is refused, as JSON has no spelling for it.
                var writer = JSONWriter.compact
                writer.sortKeys = true
                Console.out(try writer.string(.object(object)) + "\n")
                return
            }
            func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
            var lines: [String] = []
            lines.append(String(format: "prompt processing  %6d tokens  %8.1f tokens/s  (%.1f GFLOP/s; OpenBLAS sgemm here: %.1f GFLOP/s)",
                                promptTokens, r.promptTokensPerSecond, prefillRate / 1e9, sgemmRate / 1e9))
            lines.append(String(format: "generation         %6d tokens  %8.2f tokens/s", generateTokens, r.generationTokensPerSecond))
            lines.append(String(format: "time to first token             %8.0f ms", r.firstTokenSeconds * 1000))
            lines.append(String(format: "generation ceiling              %8.2f tokens/s  (%.1f GB/s read ÷ %.0f MB active per token) → %.0f %% of the limit",
                                ceiling, bandwidth / 1e9, Double(active) / 1e6, 100 * r.generationTokensPerSecond / ceiling))
            lines.append("memory             weights on disk \(mib(weightFiles)), resident after load \(mib(residentAfterLoad)), "
                         + "after run \(mib(residentAfterRun)) (\(String(format: "%.2f", Double(residentAfterRun) / Double(weightFiles)))× the files), "
                         + "peak \(mib(peak)); KV cache \(mib(cacheBytes)) (\(m.cacheFormat)) for \(depth + promptTokens + generateTokens) tokens")
            lines.append(String(format: "load               %.2f s", loadSeconds) + " (weights \(weightPlacement))")
            if depth > 0 { lines.append("depth              \(depth) tokens in the cache before the prompt (untimed)") }
            if verbose {
                lines.append("where the time goes " + Self.phaseLine("prompt", r.prefillPhases))
                lines.append("                    " + Self.phaseLine("generation", r.decodePhases))
            }
            Console.out(lines.joined(separator: "\n") + "\n")
        }
    }

    /// --sequences: aggregate and per-sequence decode speed for each batch size, the best of the repetitions.
    private func runBatched(_ m: DeepSeekModel, name: String, quant: String) throws {
        var results: [Benchmark.BatchedResult] = []
        for count in sequenceCounts {
            var best: Benchmark.BatchedResult?
            for _ in 0..<repetitions {
                let r = try Benchmark.runBatched(model: m, sequences: count, promptTokens: promptTokens,
                                                 generateTokens: generateTokens)
                if best == nil || r.aggregateTokensPerSecond > best!.aggregateTokensPerSecond { best = r }
            }
            results.append(best!)
        }
        let one = results.first { $0.sequences == 1 }?.aggregateTokensPerSecond
        if json {
            let rows: [JSON] = results.map { r in
                var row: JSONObject = ["sequences": .int(r.sequences), "tokens_per_s": .double(r.aggregateTokensPerSecond),
                                       "per_sequence_tokens_per_s": .double(r.perSequenceTokensPerSecond)]
                if let one { row["speedup"] = .double(r.aggregateTokensPerSecond / one) }
                return .object(row)
            }
            let object: JSONObject = ["model": .string(name), "quant": .string(quant), "threads": .int(m.workerPool.threads),
                                      "prompt_tokens": .int(promptTokens), "gen_tokens": .int(generateTokens), "batched": .array(rows)]
            var writer = JSONWriter.compact
            writer.sortKeys = true
            Console.out(try writer.string(.object(object)) + "\n")
            return
        }
        var lines: [String] = []
        for r in results {
            var line = String(format: "%2d sequences  %8.2f tokens/s in all, %7.2f per sequence", r.sequences,
                              r.aggregateTokensPerSecond, r.perSequenceTokensPerSecond)
            if let one { line += String(format: "  (%.2f× one sequence)", r.aggregateTokensPerSecond / one) }
            lines.append(line)
        }
        Console.out(lines.joined(separator: "\n") + "\n")
    }

    /// "prompt: attention 12 %, experts 60 %, ..." over the phases' share of the measured time.
    private static func phaseLine(_ label: String, _ t: PhaseTimes) -> String {
        let parts = PhaseTimes.Phase.allCases.map { ($0.name, t[$0]) } + [("other", t.other)]
        let shares = parts.map { String(format: "%@ %.0f %% (%.0f ms)", $0.0, 100 * $0.1 / max(t.total, 1e-12), $0.1 * 1000) }
        return "\(label): " + shares.joined(separator: ", ")
    }

    private static func phaseObject(_ t: PhaseTimes) -> JSON {
        var object: JSONObject = ["other": .double(t.other), "total": .double(t.total)]
        for phase in PhaseTimes.Phase.allCases { object[phase.name] = .double(t[phase]) }
        return .object(object)
    }
}
