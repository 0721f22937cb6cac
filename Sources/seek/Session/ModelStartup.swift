import SeekEngine

/// The steps every model-running command shares: find the registry and the model, load it, and
/// layer the sampling settings (seek's defaults, the folder's generation_config.json, the registry
/// entry's, then the flags).
struct ModelStartup {
    let loaded: LoadedModel
    let settings: SamplingSettings
    let resolved: ResolvedModel

    init(registry registryOptions: RegistryOptions, model: ModelChoice, runtime: RuntimeOptions, sampling flags: SamplingOptions) throws {
        let registry = try ModelRegistry.load(explicitFile: registryOptions.registryFile)
        resolved = try ModelResolver.resolve(model.model, registry: registry)
        loaded = try LoadedModel(resolved, options: runtime)
        var base = SamplingSettings()
        base.parameters.seed = UInt64.random(in: 0...UInt64(UInt32.max))  // reported by --verbose and /show
        base = GenerationDefaults.applied(folder: resolved.folder, to: base)
        let defaults = resolved.entry?.samplingDefaults(over: base) ?? base
        settings = flags.applied(to: defaults)
        if runtime.verbose {
            Console.err(loaded.loadReport + "\n")
            Console.err("sampling: \(settings.summary)\n")
        }
    }
}
