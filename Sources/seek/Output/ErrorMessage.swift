import SeekChat
import SeekEngine

/// The words the command line uses for the libraries' typed errors and warnings: their own
/// description, plus, where the fix is one of seek's flags or commands, that flag or command.
enum ErrorMessage {
    /// Set once a model is loaded: whether its context is already the model's maximum, so that no
    /// message suggests raising --ctx-size when that cannot help.
    nonisolated(unsafe) static var contextAtModelMaximum = false

    static func text(for error: any Error) -> String {
        switch error {
        case ContextError.promptTooLong:
            return contextAtModelMaximum ? "\(error), the model's maximum" : "\(error) (raise --ctx-size)"
        case ChatError.conversationTooLong:
            return contextAtModelMaximum ? "\(error): /clear to start over"
                : "\(error): /clear to start over, or restart with a larger --ctx-size"
        case ContextError.exceedsMemory:
            return "--ctx-size: \(error) (lower --ctx-size)"
        case WeightMemoryError.quantizedCopyExceedsMemory(_, let format, _, _):
            return "--quant: \(error)" + (format == .q8 ? " (try --quant q4)" : "")
        case WeightMemoryError.copyExceedsMemory:
            return "--no-mmap: \(error) (use --mmap)"
        case ModelResolutionError.emptyName:
            return "--model: \(error)"
        case ChatError.noChatTemplate:
            return "\(error) (use --raw, or add chat_template to its registry entry)"
        case ChatError.systemMessageNeedsTemplate(let model):
            return "--system needs a chat template, and \(model) has none"
        case ModelResolutionError.bundledModelNotFound(let folderName):
            return "no -m given and the bundled model \(folderName) was not found (set SEEK_DEFAULT_MODEL or pass -m NAME|DIR)"
        case let config as ConfigError:
            if case .quantizedCheckpoint = config.problem { return "\(config) (seek quantizes itself with --quant)" }
        case let file as ModelFileError:
            if case .quantizationLayout = file.problem { return "\(file) with seek quantize" }
        default:
            break
        }
        return String(describing: error)
    }

    static func text(for warning: ChatWarning) -> String {
        switch warning {
        case .alreadyQuantized(let folder, let stored, let requested):
            return "\(folder) is already quantized to \(stored.rawValue); --quant \(requested.rawValue) does not apply"
        case .weightsExceedMemory(let fit):
            var text = warning.description
            if let range = text.range(of: "; quantized to ") {
                text = String(text[..<range.lowerBound])
                if let best = fit.bestFit, let size = best == .q8 ? fit.q8Bytes : fit.q4Bytes {
                    text += "; --quant \(best.rawValue) (\(Table.gigabytes(size))) would fit (--quant auto picks it)"
                }
            }
            return text
        case .contextCapped(let requested, let positions, let using):
            return "--ctx-size \(requested) is more than the model's \(positions) positions; using \(using)"
        default:
            return warning.description
        }
    }
}
