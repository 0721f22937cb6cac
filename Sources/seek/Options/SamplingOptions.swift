import ArgumentParser
import SeekChat
import SeekEngine

/// How replies are sampled. Unset options fall back to the registry entry's "sampling", then the model
/// folder's generation_config.json, then seek's own defaults (the help names both).
struct SamplingOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .customLong("max-tokens")], parsing: .unconditional, help: ArgumentHelp(
        "Most tokens to generate; -1 = until end of sequence or a full context (default: the model's max_new_tokens, else -1).", valueName: "n"))
    var maxTokens: Int?

    @Option(name: [.customLong("temp"), .customLong("temperature")], parsing: .unconditional, help: ArgumentHelp(
        "Sampling temperature; 0 = greedy (default: the model's, else 0.8).", valueName: "t"))
    var temperature: Float?

    @Option(name: .customLong("top-k"), parsing: .unconditional, help: ArgumentHelp("Keep the k most likely tokens; 0 = off (default: the model's, else 40).", valueName: "k"))
    var topK: Int?

    @Option(name: .customLong("top-p"), parsing: .unconditional, help: ArgumentHelp("Nucleus sampling threshold; 1 = off (default: the model's, else 0.95).", valueName: "p"))
    var topP: Float?

    @Option(name: .customLong("min-p"), parsing: .unconditional, help: ArgumentHelp(
        "Drop tokens below p times the best one's probability; 0 = off (default: the registry entry's, else 0.05).", valueName: "p"))
    var minP: Float?

    @Option(name: .customLong("repeat-penalty"), parsing: .unconditional, help: ArgumentHelp(
        "Penalize the last 64 tokens; 1 = off (default: the model's repetition_penalty, else 1).", valueName: "x"))
    var repeatPenalty: Float?

    @Option(name: [.customShort("s"), .customLong("seed")], parsing: .unconditional, help: ArgumentHelp(
        "Random seed; the same seed gives the same output (default: random).", valueName: "n"))
    var seed: UInt64?

    @Option(name: .customLong("stop"), help: ArgumentHelp(
        "Stop when the reply contains this text (repeatable).", valueName: "text"))
    var stop: [String] = []

    func validate() throws {
        do {
            try SamplingSettings.check(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                       repeatPenalty: repeatPenalty, maxTokens: maxTokens)
        } catch let error as SettingError {
            // The settings speak registry names (top_k); say the flag the user typed (--top-k).
            let flags = ["temperature": "--temp", "top_k": "--top-k", "top_p": "--top-p", "min_p": "--min-p",
                         "repeat_penalty": "--repeat-penalty", "max_tokens": "--max-tokens"]
            throw ValidationError("\(flags[error.setting] ?? error.setting) \(error.requirement)")
        }
    }

    /// Applies the options that were given on top of `base`.
    func applied(to base: SamplingSettings) -> SamplingSettings {
        var settings = base
        if let maxTokens { settings.maxTokens = maxTokens }
        if let temperature { settings.parameters.temperature = temperature }
        if let topK { settings.parameters.topK = topK }
        if let topP { settings.parameters.topP = topP }
        if let minP { settings.parameters.minP = minP }
        if let repeatPenalty { settings.parameters.repeatPenalty = repeatPenalty }
        if let seed { settings.parameters.seed = seed }
        if !stop.isEmpty { settings.stop = stop }
        return settings
    }
}
