import Foundation
import SeekEngine
import SeekTemplate
import SeekTokenizer

/// A model ready to talk: the network, its tokenizer and its chat template (the registry's override,
/// else the one in tokenizer_config.json, else none).
final class LoadedModel {
    let name: String
    let folder: String
    let model: DeepSeekModel
    let tokenizer: Tokenizer
    let template: ChatTemplate?
    let loadSeconds: Double

    init(_ resolved: ResolvedModel, options: RuntimeOptions) throws {
        if let problem = ModelFolder(path: resolved.folder).problem() { throw SeekError(problem) }
        let start = Date()
        name = resolved.displayName
        folder = resolved.folder
        tokenizer = try Tokenizer(folder: resolved.folder)
        var load = LoadOptions()
        if let size = options.contextSize ?? resolved.entry?.contextSize { load.contextSize = size }
        if let threads = options.threads { load.threads = threads }
        load.quantization = options.quantization ?? resolved.entry?.quantization
        model = try DeepSeekModel.load(folder: resolved.folder, options: load)
        if let source = resolved.entry?.chatTemplate ?? tokenizer.chatTemplate {
            do { template = try ChatTemplate(source: source) } catch {
                let origin = resolved.entry?.chatTemplate != nil ? "the registry's chat template for \(resolved.displayName)" : "\(resolved.folder)/tokenizer_config.json chat_template"
                throw SeekError("\(origin): \(error)")
            }
        } else {
            template = nil
        }
        loadSeconds = Date().timeIntervalSince(start)
        if let stored = model.storedQuantization, let asked = load.quantization, asked != stored {
            Console.warning("\(resolved.folder) is already quantized to \(stored.rawValue); --quant \(asked.rawValue) does not apply")
        }
        if load.contextSize > model.contextSize, options.contextSize != nil {
            Console.warning("--ctx-size \(load.contextSize) is more than the model's \(model.config.maxPositionEmbeddings) positions; using \(model.contextSize)")
        }
    }

    /// Token ids that end a reply: the config's end-of-sequence ids and the tokenizer's.
    var stopTokenIds: Set<Int> {
        Set(model.config.eosTokenIds + [tokenizer.eosTokenId].compactMap { $0 })
    }

    /// "deepseek_v2, 27 layers, 64 experts (6 active), 15.7 GB": what /show and --verbose print.
    var summary: String {
        let c = model.config
        var parts = [c.modelType, "\(c.numHiddenLayers) layers", "hidden \(c.hiddenSize)"]
        if c.nRoutedExperts > 0 { parts.append("\(c.nRoutedExperts) experts (\(c.numExpertsPerTok) active, \(c.nSharedExperts) shared)") }
        parts.append("kv_lora_rank \(c.kvLoraRank)")
        parts.append("vocab \(c.vocabSize)")
        parts.append(Table.gigabytes(model.weightBytes) + " of weights")
        if model.quantizedBytes > 0 { parts.append("quantized in memory to " + Table.gigabytes(model.quantizedBytes)) }
        if let stored = model.storedQuantization { parts.append("\(stored.rawValue) blocks written by seek quantize") }
        return parts.joined(separator: ", ")
    }

    /// What --verbose prints after loading.
    var loadReport: String {
        let cache = model.cacheBytesPerToken * model.contextSize
        return String(format: "loaded %@ in %.2f s: %@; context %d tokens (KV cache %@); peak memory %@",
                      name, loadSeconds, summary, model.contextSize, Table.gigabytes(cache), Table.gigabytes(ResourceUsage.peakResidentBytes))
    }
}

/// The process's own memory use, for --verbose.
enum ResourceUsage {
    static var peakResidentBytes: Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss  // bytes on macOS
        #endif
    }
}
