import ArgumentParser
import Foundation
import SeekChat
import SeekEngine

/// `seek quantize`: writes a q8/q4 copy of a model folder that later loads without converting again.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        _superCommandName: "seek",
        abstract: "Write a quantized copy of a model folder (q8 or q4 blocks).",
        discussion: """
            The attention and expert projections and the lm_head become q8 or q4 blocks; norms, router \
            and embeddings stay as stored; config and tokenizer files are copied. The copy runs like any \
            model folder (seek -m DIR) and maps its weights straight from disk.

            Example:
              seek quantize -m ~/models/DeepSeek-V2-Lite-Chat --quant q8 \\
                  ~/models/DeepSeek-V2-Lite-Chat-q8
            """)

    @OptionGroup(title: "Model") var model: ModelChoice
    @OptionGroup(title: "Model") var registry: RegistryOptions

    @Option(name: [.customLong("quant"), .customLong("to")], help: ArgumentHelp(
        "The format: q8 (8-bit) or q4 (4-bit).", valueName: "q8|q4"))
    var format: QuantFormat?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The new model folder (must not exist, or be empty).", valueName: "dir"))
    var outputOption: String?

    @Argument(help: ArgumentHelp("The new model folder (or -o).", valueName: "out"))
    var outputArgument: String?

    var output: String { (outputOption ?? outputArgument)! }

    func validate() throws {
        if format == nil { throw ValidationError("quantize needs a format: --quant q8|q4") }
        switch (outputOption, outputArgument) {
        case (nil, nil): throw ValidationError("quantize needs an output folder: seek quantize -m MODEL --quant q4 OUT")
        case (.some, .some): throw ValidationError("give the output folder once (either OUT or -o)")
        default: break
        }
        if output.isEmpty { throw ValidationError("the output folder name is empty") }
    }

    func run() throws {
        try CommandFailure.reporting {
            let startup = try ModelStartup(registryFile: registry.registryFile, model: model.model)
            try startup.check(.weights)
            let start = Date()
            let display = ProgressDisplay("\(startup.resolved.displayName) to \(format!.rawValue)")
            let summary = try ModelQuantizer.quantize(folder: startup.resolved.folder, format: format!,
                                                      output: try PathExpansion.expand(output), progress: display.handler) { name, bytes in
                display.finish()
                Console.err("wrote \(name) (\(bytes >> 20) MiB)\n")
            }
            display.finish()
            Console.err(String(format: "wrote %@: %d tensors quantized, %@ → %@ in %d file(s), %.1f s\n",
                               output, summary.quantizedTensors, Table.gigabytes(summary.inputBytes),
                               Table.gigabytes(summary.outputBytes), summary.shards, Date().timeIntervalSince(start)))
        }
    }
}
