import Foundation
import SeekChat
import SeekEngine

/// How a loaded model and the sampling settings are described by `/show` and `--verbose`.
enum ModelReport {
    /// "deepseek_v2, 27 layers, hidden 2048, 64 experts (6 active, 2 shared), …, 15.7 GB of weights".
    static func summary(_ loaded: LoadedModel) -> String {
        let model = loaded.model
        let c = model.config
        var parts = [c.modelType, "\(c.numHiddenLayers) layers", "hidden \(c.hiddenSize)"]
        if c.nRoutedExperts > 0 { parts.append("\(c.nRoutedExperts) experts (\(c.numExpertsPerTok) active, \(c.nSharedExperts) shared)") }
        parts.append("kv_lora_rank \(c.kvLoraRank)")
        parts.append("vocab \(c.vocabSize)")
        parts.append(Table.gigabytes(ModelSize.weightBytes(folder: loaded.folder)) + " of weights")
        if model.quantizedBytes > 0 {
            parts.append("quantized in memory" + (model.quantization.map { " to \($0.rawValue)" } ?? "") + " (" + Table.gigabytes(model.quantizedBytes) + ")")
        }
        if let entry = loaded.cacheEntry {
            parts.append("\(entry.kind.rawValue) blocks from the cache (\(Table.gigabytes(entry.bytes)))")
        } else if let stored = model.storedQuantization {
            parts.append("\(stored.rawValue) blocks written by seek quantize")
        }
        return parts.joined(separator: ", ")
    }

    /// What --verbose prints after loading.
    static func loadLine(_ loaded: LoadedModel) -> String {
        let model = loaded.model
        let cache = model.cacheBytesPerToken * model.contextSize
        return String(format: "loaded %@ in %.2f s: %@; context %d tokens (KV cache %@, %@); activation workspace %@ (batch %d); peak memory %@",
                      loaded.name, loaded.loadSeconds, summary(loaded), model.contextSize, Table.gigabytes(cache), model.cacheFormat.rawValue,
                      Table.gigabytes(model.workspaceBytes), model.batchSize, Table.gigabytes(ProcessMemory.peakResidentBytes))
    }

    /// The settings as `/show`, `/set` and --verbose print them.
    static func settings(_ settings: SamplingSettings) -> String {
        let p = settings.parameters
        var line = "temperature \(p.temperature)  top_k \(p.topK)  top_p \(p.topP)  min_p \(p.minP)  "
            + "repeat_penalty \(p.repeatPenalty)  repeat_last_n \(p.repeatLastN)  seed \(p.seed)  "
            + "max_tokens \(settings.maxTokens < 0 ? "unlimited" : String(settings.maxTokens))"
        if !settings.stop.isEmpty { line += "  stop \(settings.stop.map { "\"\($0)\"" }.joined(separator: ", "))" }
        return line
    }
}
