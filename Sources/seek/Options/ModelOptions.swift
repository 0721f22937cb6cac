import Foundation
import ArgumentParser
import SeekChat
import SeekEngine

// The root command parses its options anywhere on the command line, subcommand arguments included, and
// hands a subcommand the groups of the same type it declares. So each group below is declared once per
// command that needs it, never as a loose @Option that could collide with the root's.

/// Where the named models are listed.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("models"), help: ArgumentHelp(
        "The model registry (default: $SEEK_MODELS, else $XDG_CONFIG_HOME/seek/models.json).",
        valueName: "file"))
    var registryFile: String?
}

/// Which model to run.
struct ModelChoice: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "A model name from the registry or a model folder (default: the bundled seek-mini).",
        valueName: "name|dir"))
    var model: String?
}

/// How to run the model.
struct RuntimeOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("ctx-size")], parsing: .unconditional, help: ArgumentHelp(
        "Tokens of context to allocate (default 4096, capped at the model's maximum).", valueName: "n"))
    var contextSize: Int?

    @Option(name: .shortAndLong, parsing: .unconditional, help: ArgumentHelp("Worker threads (default: all cores).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("quant"), help: ArgumentHelp(
        "Quantize the weights to q8 or q4 blocks (less memory, faster decoding), kept in the cache for later starts; auto: the most precise that fits in memory.",
        valueName: "q8|q4|auto"))
    var quantization: QuantChoice?

    @Flag(name: .customLong("no-cache"), help: ArgumentHelp(
        "With --quant, quantize in memory at every start instead of keeping the quantized weights in $XDG_CACHE_HOME/seek (see 'seek cache')."))
    var noCache = false

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Read the weights from the mapped files (--mmap: fast start, pages shared) or copy them into memory (--no-mmap: faster generation); default: copy when they fit in the memory available."))
    var mmap: Bool?

    @Option(name: .customLong("cache-type"), help: ArgumentHelp(
        "How the KV cache holds its values: f32, or bf16 (half the memory and faster deep in a long context, each cached value rounded to 8 significant bits); default: bf16 for q8/q4 weights, f32 otherwise.",
        valueName: "f32|bf16"))
    var cacheType: LatentCacheFormat?

    @Flag(help: "Print load time, memory and per-reply statistics on stderr.")
    var verbose = false

    /// What the chat library loads with.
    var loadSettings: LoadSettings {
        var settings = LoadSettings(contextSize: contextSize, threads: threads, quantization: quantization?.format,
                                    cache: noCache ? nil : QuantizedModelCache())
        settings.quantizeToFit = quantization == .auto
        settings.availableMemory = MemoryOverride.bytes()
        settings.copyWeights = mmap.map { !$0 }
        settings.cacheFormat = cacheType
        return settings
    }

    func validate() throws {
        if let contextSize, contextSize < 1 { throw ValidationError("--ctx-size must be at least 1, got \(contextSize)") }
        if let threads, threads < 0 { throw ValidationError("--threads must be 0 (all cores) or more, got \(threads)") }
    }
}

extension QuantFormat: ExpressibleByArgument {}
extension LatentCacheFormat: ExpressibleByArgument {}

/// `--quant`: a format, or `auto` (the most precise weights that fit in memory).
enum QuantChoice: String, ExpressibleByArgument, CaseIterable {
    case q8, q4, auto

    var format: QuantFormat? { QuantFormat(rawValue: rawValue) }
}

/// `SEEK_MEMORY_AVAILABLE` (bytes, or with a K/M/G suffix): the memory figure the fit check uses
/// instead of the machine's, for tests and for leaving room to other programs.
enum MemoryOverride {
    static func bytes(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        guard var text = environment["SEEK_MEMORY_AVAILABLE"]?.uppercased(), !text.isEmpty else { return nil }
        var scale = 1
        if let unit = text.last, let power = ["K": 1, "M": 2, "G": 3][String(unit)] {
            scale = 1 << (10 * power)
            text.removeLast()
        }
        return Double(text).map { Int($0 * Double(scale)) }
    }
}
