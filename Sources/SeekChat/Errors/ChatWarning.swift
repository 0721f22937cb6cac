import SeekEngine

/// Something a user should hear about that does not stop the model from running. The library returns
/// these; a front end shows them (and may name its own flags).
public enum ChatWarning: Equatable, Sendable, CustomStringConvertible {
    /// Quantizing at load was asked of a folder already written quantized by the quantizer.
    case alreadyQuantized(folder: String, stored: QuantFormat, requested: QuantFormat)
    /// The context asked for is more than the model's positions; the smaller one is used.
    case contextCapped(requested: Int, positions: Int, using: Int)
    /// generation_config.json is not a JSON object: its defaults are ignored.
    case generationConfigNotAnObject(file: String)
    /// tokenizer_config.json names a special token the vocabulary does not have.
    case unknownSpecialToken(file: String, key: String, token: String)
    /// generation_config.json exists but cannot be read: its defaults are ignored.
    case generationConfigUnreadable(file: String, problem: String)
    /// One generation_config.json value is out of range: it is ignored.
    case generationConfigValueIgnored(file: String, key: String, value: String, reason: SettingError)
    /// The quantized-model cache could not be written: the weights were quantized in memory instead.
    case quantizedCacheUnavailable(folder: String, reason: String)
    /// The weights are more than the machine can keep in memory: they would be read from disk again for
    /// every token. `fit` has the sizes, and those of q8 and q4.
    case weightsExceedMemory(fit: MemoryFit)
    /// A chat outgrew the context: its oldest turns were dropped to make room (said once per chat).
    case olderTurnsDropped(turns: Int, contextSize: Int)

    public var description: String {
        switch self {
        case .alreadyQuantized(let folder, let stored, let requested):
            return "\(folder) is already quantized to \(stored.rawValue); quantizing to \(requested.rawValue) does not apply"
        case .contextCapped(let requested, let positions, let using):
            return "a context of \(requested) tokens is more than the model's \(positions) positions; using \(using)"
        case .unknownSpecialToken(let file, let key, let token):
            return "\(file): \(key) \"\(token)\" is not in the vocabulary; it is left out"
        case .generationConfigUnreadable(let file, let problem):
            return "\(file): \(problem); its sampling defaults are ignored"
        case .generationConfigNotAnObject(let file):
            return "\(file) is not a JSON object; its sampling defaults are ignored"
        case .generationConfigValueIgnored(let file, let key, let value, let reason):
            return "\(file): \(key) \(value) ignored (\(reason))"
        case .quantizedCacheUnavailable(let folder, let reason):
            return "cannot keep the quantized weights in \(folder) (\(reason)); quantized them in memory for this run"
        case .weightsExceedMemory(let fit):
            var text = "the weights take \(ModelSize.text(fit.weightBytes))\(fit.quantization.map { " as \($0.rawValue)" } ?? ""), more than "
                + "the \(ModelSize.text(fit.availableBytes)) of memory available for them: they will be read from disk for every token (very slow)"
            if let best = fit.bestFit, best != fit.quantization, let size = best == .q8 ? fit.q8Bytes : fit.q4Bytes, size <= fit.availableBytes {
                text += "; quantized to \(best.rawValue) (\(ModelSize.text(size))) they would fit"
            }
            return text
        case .olderTurnsDropped(let turns, let contextSize):
            return "the conversation outgrew the context of \(contextSize) tokens: the oldest \(turns == 1 ? "turn was" : "\(turns) turns were") "
                + "dropped to make room (the system message stays; older turns go as needed from now on)"
        }
    }
}
