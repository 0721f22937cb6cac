import ArgumentParser
import Foundation
import SeekEngine

/// `seek quantize`: writes a q8/q4 copy of a model folder that later loads without converting again.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write a quantized copy of a model folder (q8 or q4 blocks).",
        discussion: """
            The attention and expert projections and the lm_head become q8 or q4 blocks; norms, router \
            and embeddings stay as stored; config and tokenizer files are copied. The copy runs like any \
            model folder (seek -m DIR) and maps its weights straight from disk.

            Example:
              seek quantize -m ~/models/DeepSeek-V2-Lite-Chat --to q8 -o ~/models/DeepSeek-V2-Lite-Chat-q8
            """)

    @OptionGroup var model: ModelChoice
    @OptionGroup var registry: RegistryOptions

    @Option(name: .customLong("to"), help: ArgumentHelp("The format: q8 (8-bit) or q4 (4-bit).", valueName: "q8|q4"))
    var format: QuantFormat

    @Option(name: .shortAndLong, help: ArgumentHelp("The new model folder (must not exist, or be empty).", valueName: "dir"))
    var output: String

    func run() throws {
        try CommandFailure.reporting {
            let models = try ModelRegistry.load(explicitFile: registry.registryFile)
            let resolved = try ModelResolver.resolve(model.model, registry: models)
            if let problem = ModelFolder(path: resolved.folder).problem(needsTokenizer: false) { throw SeekError(problem) }
            let start = Date()
            let summary = try ModelQuantizer.quantize(folder: resolved.folder, format: format,
                                                      output: try PathExpansion.expand(output)) { Console.err($0 + "\n") }
            Console.err(String(format: "wrote %@: %d tensors quantized, %@ → %@ in %d file(s), %.1f s\n",
                               output, summary.quantizedTensors, Table.gigabytes(summary.inputBytes),
                               Table.gigabytes(summary.outputBytes), summary.shards, Date().timeIntervalSince(start)))
        }
    }
}
