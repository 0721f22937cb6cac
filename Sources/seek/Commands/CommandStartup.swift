import SeekChat
import SeekEngine

/// The command line's side of `ModelStartup` for the commands that chat or complete: options in, the
/// loaded model and the sampling settings out (seek's defaults, the folder's, the registry entry's,
/// then the flags), warnings and the --verbose report on stderr.
struct CommandStartup {
    let startup: ModelStartup
    let loaded: LoadedModel
    let settings: SamplingSettings

    init(registry: RegistryOptions, model: ModelChoice, runtime: RuntimeOptions, sampling: SamplingOptions) throws {
        startup = try ModelStartup(registryFile: registry.registryFile, model: model.model)
        let display = ProgressDisplay(startup.resolved.displayName)
        defer { display.finish() }
        loaded = try startup.load(runtime.loadSettings, progress: display.handler)
        display.finish()
        ErrorMessage.contextAtModelMaximum = loaded.model.contextSize >= loaded.model.config.maxPositionEmbeddings
        for warning in loaded.warnings { Console.warning(ErrorMessage.text(for: warning)) }
        if loaded.cacheBuilt, let entry = loaded.cacheEntry {
            Console.err("note: stored the \(entry.kind.rawValue) weights (\(Table.gigabytes(entry.bytes))) in \(entry.folder) "
                        + "for later starts; 'seek cache rm \(entry.name)' removes them, --no-cache skips this\n")
        }
        // A random seed unless one is given; --verbose and /show report it.
        let defaults = startup.samplingDefaults(seed: UInt64.random(in: 0...UInt64(UInt32.max)))
        for warning in defaults.warnings { Console.warning(ErrorMessage.text(for: warning)) }
        settings = sampling.applied(to: defaults.settings)
        if runtime.verbose {
            Console.err(ModelReport.loadLine(loaded) + "\n")
            Console.err("sampling: \(ModelReport.settings(settings))\n")
        }
    }
}
