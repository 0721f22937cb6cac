import Foundation
import SeekEngine
import SeekTokenizer

/// The one path from a model name to a running model that every front end and command shares:
/// resolve (registry, path or bundled model) → check the folder for what the caller needs → load.
/// Sampling defaults are layered here too: seek's, the folder's generation_config.json, the registry
/// entry's; the caller's own settings go on top.
public struct ModelStartup: Sendable {
    public let registry: ModelRegistry
    public let resolved: ResolvedModel

    /// Reads the registry (`registryFile`, else `$SEEK_MODELS`, else the default location) and resolves
    /// `model` (a name, a folder, or nil for the default model).
    public init(registryFile: String?, model: String?,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        registry = try ModelRegistry.load(explicitFile: registryFile, environment: environment)
        resolved = try ModelResolver.resolve(model, registry: registry, environment: environment)
    }

    public init(registry: ModelRegistry, resolved: ResolvedModel) {
        self.registry = registry
        self.resolved = resolved
    }

    /// The resolved model folder.
    public var folder: ModelFolder { ModelFolder(path: resolved.folder) }

    /// Throws what the folder lacks for `parts` (a `ModelFolderError` or the config's `ConfigError`).
    public func check(_ parts: ModelFolder.Parts) throws {
        try folder.check(parts)
    }

    /// The engine's load options: `settings`, else the registry entry's, else the engine's defaults.
    public static func loadOptions(_ settings: LoadSettings, entry: ModelEntry?, folder: String) -> LoadOptions {
        var options = LoadOptions()
        if let size = settings.contextSize ?? entry?.contextSize { options.contextSize = size }
        if let threads = settings.threads { options.threads = threads }
        options.quantization = settings.quantization ?? entry?.quantization
        options.memoryLimit = settings.memoryLimit
        options.cacheFormat = settings.cacheFormat
        options.copyWeights = copyWeights(settings, folder: folder, quantization: options.quantization)
        return options
    }

    /// Whether to copy the weights into memory: as `settings` say (--mmap / --no-mmap), else when they
    /// fit at this precision (`WeightPlacement`).
    static func copyWeights(_ settings: LoadSettings, folder: String, quantization: QuantFormat?) -> Bool {
        settings.copyWeights ?? WeightPlacement.copyFits(folder: folder, quantization: quantization,
                                                         availableBytes: settings.availableMemory,
                                                         memoryLimit: settings.memoryLimit)
    }

    public func loadOptions(_ settings: LoadSettings) -> LoadOptions {
        ModelStartup.loadOptions(settings, entry: resolved.entry, folder: resolved.folder)
    }

    /// The network alone (no tokenizer needed): for measuring it.
    public func loadModel(_ settings: LoadSettings, progress: ProgressHandler? = nil) throws -> DeepSeekModel {
        try check(.weights)
        return try ModelStartup.loadWeights(folder: resolved.folder, options: loadOptions(settings), cache: settings.cache,
                                            progress: progress).model
    }

    /// What `loadWeights` did besides loading.
    public struct WeightsLoad {
        public var model: DeepSeekModel
        /// The quantized-model cache entry the weights were mapped from, if any.
        public var cacheEntry: QuantizedModelCache.Entry?
        /// Whether that entry was made by this load (the first start with this quantization).
        public var cacheBuilt = false
        public var warnings: [ChatWarning] = []
    }

    /// Loads the weights of `folder`. A quantization asked of unquantized weights, with a `cache`, maps
    /// the cached quantized copy (writing it first when there is none, or when the one there is stale
    /// or damaged); a cache that cannot be written falls back to quantizing in memory, with a warning.
    public static func loadWeights(folder: String, options: LoadOptions, cache: QuantizedModelCache?,
                                   progress: ProgressHandler?) throws -> WeightsLoad {
        var options = options
        options.progress = progress
        guard let kind = options.quantization, let cache,
              (try? TensorStore(folder: folder).quantizationTag) ?? nil == nil
        else {
            try checkInMemoryQuantization(folder: folder, options: options)
            if options.quantization == nil { try checkWeightCopy(folder: folder, options: options) }
            return WeightsLoad(model: try DeepSeekModel.load(folder: folder, options: options))
        }

        var mapped = options
        mapped.quantization = nil  // the entry holds the blocks already
        if let entry = cache.entry(for: folder, kind: kind) {
            try checkWeightCopy(folder: entry.folder, options: mapped)
            if let model = try? DeepSeekModel.load(folder: entry.folder, options: mapped), model.storedQuantization == kind {
                return WeightsLoad(model: model, cacheEntry: entry)
            }
            try? FileManager.default.removeItem(atPath: entry.folder)  // damaged in a way its manifest did not show
        }
        let entry: QuantizedModelCache.Entry
        do {
            entry = try cache.build(from: folder, kind: kind, threads: options.threads, progress: progress)
        } catch where error is ModelFileError || error is ModelFolderError || error is ConfigError {
            throw error  // the source itself is bad: the same error as loading it would give
        } catch {
            try checkInMemoryQuantization(folder: folder, options: options)
            var load = WeightsLoad(model: try DeepSeekModel.load(folder: folder, options: options))
            load.warnings.append(.quantizedCacheUnavailable(folder: cache.root, reason: "\(error)"))
            return load
        }
        try checkWeightCopy(folder: entry.folder, options: mapped)
        return WeightsLoad(model: try DeepSeekModel.load(folder: entry.folder, options: mapped), cacheEntry: entry, cacheBuilt: true)
    }

    /// Copying the weights (`LoadOptions.copyWeights`) holds them in memory: refuse before allocating when
    /// they exceed the machine's memory (`memoryLimit` when given). Weights quantized while loading are
    /// checked by `checkInMemoryQuantization` instead.
    static func checkWeightCopy(folder: String, options: LoadOptions) throws {
        guard options.copyWeights else { return }
        let physical = options.memoryLimit ?? PhysicalMemory.bytes
        let bytes = ModelSize.weightBytes(folder: folder)
        guard bytes <= physical else {
            throw WeightMemoryError.copyExceedsMemory(folder: folder, bytes: bytes, physicalBytes: physical)
        }
    }

    /// Quantizing while loading keeps the quantized matrices in memory, not mapped from files: refuse
    /// before allocating them when they alone exceed the machine's memory (`LoadOptions.memoryLimit`
    /// when given), as the KV cache is refused. Unquantized or already quantized weights pass.
    static func checkInMemoryQuantization(folder: String, options: LoadOptions) throws {
        guard let format = options.quantization, let store = try? TensorStore(folder: folder), store.quantizationTag == nil
        else { return }  // loading reports an unreadable folder itself
        let bytes: Int?  // nil: more than can be counted
        do { bytes = try ModelQuantizer.inMemoryBytes(folder: folder, format: format) } catch { return }
        let physical = options.memoryLimit ?? PhysicalMemory.bytes
        guard let bytes, bytes <= physical else {
            throw WeightMemoryError.quantizedCopyExceedsMemory(folder: folder, format: format, bytes: bytes, physicalBytes: physical)
        }
    }

    /// The tokenizer alone (no weights needed).
    public func loadTokenizer() throws -> Tokenizer {
        try check(.tokenizer)
        return try Tokenizer(folder: resolved.folder)
    }

    /// Everything a chat needs: network, tokenizer and chat template.
    public func load(_ settings: LoadSettings, progress: ProgressHandler? = nil) throws -> LoadedModel {
        try check(.all)
        return try LoadedModel(resolved, settings: settings, progress: progress)
    }

    /// seek's defaults (with `seed`), then the folder's generation_config.json, then the registry entry's.
    public func samplingDefaults(seed: UInt64) -> (settings: SamplingSettings, warnings: [ChatWarning]) {
        var base = SamplingSettings()
        base.parameters.seed = seed
        let folderDefaults = GenerationDefaults.applied(folder: resolved.folder, to: base)
        let settings = resolved.entry?.samplingDefaults(over: folderDefaults.settings) ?? folderDefaults.settings
        return (settings, folderDefaults.warnings)
    }
}
