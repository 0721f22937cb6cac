import ArgumentParser
import Foundation
import SeekChat
import SeekEngine

/// `seek models`: the registry's entries and whether each one can be loaded.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        _superCommandName: "seek",
        abstract: "List the models in the registry and whether each folder is loadable.",
        discussion: """
            The registry is --models FILE, else $SEEK_MODELS, else $XDG_CONFIG_HOME/seek/models.json \
            (~/.config/seek/models.json). See models.example.json for the format. FITS says whether the \
            weights fit in the memory available (MemAvailable plus the page cache they hold): yes, q8 or \
            q4 (only quantized so; --quant auto picks it), or no. With --remote URL, the models an OpenAI-compatible server lists instead.
            """)

    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup(title: "Remote") var remote: RemoteOptions

    func run() throws {
        if remote.url != nil, let target = try RemoteRun.reporting({
            try RemoteTarget.resolve(remote: remote, model: nil, registryFile: registryOptions.registryFile)
        }) {
            return try RemoteRun.models(target)
        }
        if remote.apiKey != nil { throw CommandFailure.fail(RemoteUsageError.apiKeyWithoutRemote.description) }
        let registry = try CommandFailure.reporting { try ModelRegistry.load(explicitFile: registryOptions.registryFile) }
        let cached = QuantizedModelCache().list()  // the quantized copies --quant keeps (seek cache)
        var rows: [[String]] = []
        var names = Set<String>()
        for entry in registry.entries {
            names.insert(entry.name)
            if let url = entry.remote {
                rows.append([entry.name, "remote", "", url, [entry.remoteModel, entry.description].compactMap { $0 }.joined(separator: ", ")])
            } else if let unavailable = entry.unavailable {
                rows.append([entry.name, "no", "", entry.path, unavailable.problem.description])
            } else {
                rows.append(row(name: entry.name, folder: entry.path, description: entry.description, cached: cached))
            }
        }
        if !names.contains("default") {
            if let bundled = BundledModel.locate() {
                rows.insert(row(name: "default", folder: bundled, description: "bundled \(BundledModel.folderName)", cached: cached), at: 0)
            } else {
                rows.insert(["default", "no", "", "(bundled \(BundledModel.folderName) not found)", ""], at: 0)
            }
        }
        Console.out(Table.render(header: ["NAME", "LOADABLE", "FITS", "PATH", "NOTE"], rows: rows))
        Console.out("registry: \(registry.file ?? "none (looked for \(ModelRegistry.defaultLocation(environment: ProcessInfo.processInfo.environment)))")\n")
    }

    /// Whether the weights fit in memory: "yes", "q8" or "q4" (fit only quantized so), or "no".
    static func fits(_ folder: String) -> String {
        guard let fit = MemoryFit.assess(folder: folder, quantization: nil, availableBytes: MemoryOverride.bytes()) else { return "?" }
        if fit.fits { return "yes" }
        guard let best = fit.bestFit, let size = best == .q8 ? fit.q8Bytes : fit.q4Bytes, size <= fit.availableBytes else { return "no" }
        return best.rawValue
    }

    private func row(name: String, folder: String, description: String?, cached: [QuantizedModelCache.Entry]) -> [String] {
        let modelFolder = ModelFolder(path: folder)
        // Loadable means it loads: every tensor's name, shape and span checked, finite at a sample.
        do { try modelFolder.check(.all); try DeepSeekModel.verify(folder: folder) } catch let error as ModelFolderError {
            return [name, "no", "", folder, error.problem.description]
        } catch {
            return [name, "no", "", folder, ErrorMessage.text(for: error)]
        }
        var note = Table.gigabytes(ModelSize.weightBytes(folder: folder))
        if let config = try? ModelConfig.load(path: modelFolder.file("config.json")) { note = "\(config.modelType), " + note }
        if let description { note += ", " + description }
        let variants = cached.filter { $0.source == folder && $0.isCurrent }
        if !variants.isEmpty {
            note += "; cached " + variants.map { "\($0.kind.rawValue) (\(Table.gigabytes($0.bytes)))" }.joined(separator: ", ")
        }
        return [name, "yes", ModelsCommand.fits(folder), folder, note]
    }
}
