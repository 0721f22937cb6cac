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
    public static func loadOptions(_ settings: LoadSettings, entry: ModelEntry?) -> LoadOptions {
        var options = LoadOptions()
        if let size = settings.contextSize ?? entry?.contextSize { options.contextSize = size }
        if let threads = settings.threads { options.threads = threads }
        options.quantization = settings.quantization ?? entry?.quantization
        return options
    }

    public func loadOptions(_ settings: LoadSettings) -> LoadOptions {
        ModelStartup.loadOptions(settings, entry: resolved.entry)
    }

    /// The network alone (no tokenizer needed): for measuring it.
    public func loadModel(_ settings: LoadSettings) throws -> DeepSeekModel {
        try check(.weights)
        return try DeepSeekModel.load(folder: resolved.folder, options: loadOptions(settings))
    }

    /// The tokenizer alone (no weights needed).
    public func loadTokenizer() throws -> Tokenizer {
        try check(.tokenizer)
        return try Tokenizer(folder: resolved.folder)
    }

    /// Everything a chat needs: network, tokenizer and chat template.
    public func load(_ settings: LoadSettings) throws -> LoadedModel {
        try check(.all)
        return try LoadedModel(resolved, settings: settings)
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
