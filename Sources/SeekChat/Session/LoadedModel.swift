import Foundation
import SeekEngine
import SeekTemplate
import SeekTokenizer

/// A model ready to talk: the network, its tokenizer and its chat template (the registry's override,
/// else the one in tokenizer_config.json, else none). Made by `ModelStartup.load`.
public final class LoadedModel {
    public let name: String
    public let folder: String
    public let model: DeepSeekModel
    public let tokenizer: Tokenizer
    public let template: ChatTemplate?
    /// The registry entry's system message, if it has one.
    public let defaultSystem: String?
    /// Seconds the load took.
    public let loadSeconds: Double
    /// What the user should hear about the load (a context capped, a quantization that does not apply).
    public let warnings: [ChatWarning]
    /// The quantized-model cache entry the weights come from, if any, and whether this load made it.
    public let cacheEntry: QuantizedModelCache.Entry?
    public let cacheBuilt: Bool
    /// The weights' size against the memory available, at the precision loaded (nil: not known).
    public let memoryFit: MemoryFit?

    init(_ resolved: ResolvedModel, settings: LoadSettings, progress: ProgressHandler? = nil) throws {
        let start = Date()
        name = resolved.displayName
        folder = resolved.folder
        defaultSystem = resolved.entry?.system
        tokenizer = try Tokenizer(folder: resolved.folder)
        var options = ModelStartup.loadOptions(settings, entry: resolved.entry, folder: resolved.folder)
        // Memory: the most precise weights that fit when asked ("auto"); a warning when they do not fit.
        let toFit = options.quantization == nil && (settings.quantizeToFit || resolved.entry?.quantizeToFit == true)
        var fit = MemoryFit.assess(folder: resolved.folder, quantization: options.quantization, availableBytes: settings.availableMemory)
        if toFit, let best = fit?.bestFit {
            options.quantization = best
            fit = MemoryFit.assess(folder: resolved.folder, quantization: best, availableBytes: settings.availableMemory)
            options.copyWeights = ModelStartup.copyWeights(settings, folder: resolved.folder, quantization: best)
        }
        let weights = try ModelStartup.loadWeights(folder: resolved.folder, options: options, cache: settings.cache, progress: progress)
        model = weights.model
        cacheEntry = weights.cacheEntry
        cacheBuilt = weights.cacheBuilt
        if let source = resolved.entry?.chatTemplate ?? tokenizer.chatTemplate {
            let origin: ChatError.TemplateOrigin = resolved.entry?.chatTemplate != nil
                ? .registry(model: resolved.displayName) : .tokenizerConfig(folder: resolved.folder)
            do { template = try ChatTemplate(source: source, name: origin.description) } catch let error as TemplateError {
                throw ChatError.invalidTemplate(origin: origin, error: error)
            }
        } else {
            template = nil
        }
        loadSeconds = Date().timeIntervalSince(start)
        var warnings = weights.warnings
        if let fit, !fit.fits { warnings.append(.weightsExceedMemory(fit: fit)) }
        memoryFit = fit
        if let stored = model.storedQuantization, let asked = options.quantization, asked != stored {
            warnings.append(.alreadyQuantized(folder: resolved.folder, stored: stored, requested: asked))
        }
        // A bos_token or eos_token that the vocabulary lacks would silently drop BOS from every prompt
        // (or never match an end token): say so.
        let configFile = (resolved.folder as NSString).appendingPathComponent("tokenizer_config.json")
        if let bos = tokenizer.bosToken, tokenizer.bosTokenId == nil {
            warnings.append(.unknownSpecialToken(file: configFile, key: "bos_token", token: bos))
        }
        if let eos = tokenizer.eosToken, tokenizer.eosTokenId == nil {
            warnings.append(.unknownSpecialToken(file: configFile, key: "eos_token", token: eos))
        }
        if let asked = settings.contextSize, asked > model.contextSize {
            warnings.append(.contextCapped(requested: asked, positions: model.config.maxPositionEmbeddings, using: model.contextSize))
        }
        self.warnings = warnings
    }

    /// Token ids that end a reply: the config's end-of-sequence ids and the tokenizer's.
    public var stopTokenIds: Set<Int> {
        Set(model.config.eosTokenIds + [tokenizer.eosTokenId].compactMap { $0 })
    }

    /// Formats prompts with this model's tokenizer and template.
    public var formatter: PromptFormatter { PromptFormatter(tokenizer: tokenizer, template: template) }

    /// A generator over this model's KV cache. The cache is the model's: one generation at a time.
    public func makeTextGeneration() -> TextGeneration {
        TextGeneration(generator: Generator(model: model, stopTokenIds: stopTokenIds), tokenizer: tokenizer)
    }
}
