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
            (~/.config/seek/models.json). See models.example.json for the format. With --remote URL, \
            the models an OpenAI-compatible server lists instead.
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
        var rows: [[String]] = []
        var names = Set<String>()
        for entry in registry.entries {
            names.insert(entry.name)
            if let url = entry.remote {
                rows.append([entry.name, "remote", url, [entry.remoteModel, entry.description].compactMap { $0 }.joined(separator: ", ")])
            } else if let unavailable = entry.unavailable {
                rows.append([entry.name, "no", entry.path, unavailable.problem.description])
            } else {
                rows.append(row(name: entry.name, folder: entry.path, description: entry.description))
            }
        }
        if !names.contains("default") {
            if let bundled = BundledModel.locate() {
                rows.insert(row(name: "default", folder: bundled, description: "bundled \(BundledModel.folderName)"), at: 0)
            } else {
                rows.insert(["default", "no", "(bundled \(BundledModel.folderName) not found)", ""], at: 0)
            }
        }
        Console.out(Table.render(header: ["NAME", "LOADABLE", "PATH", "NOTE"], rows: rows))
        Console.out("registry: \(registry.file ?? "none (looked for \(ModelRegistry.defaultLocation(environment: ProcessInfo.processInfo.environment)))")\n")
    }

    private func row(name: String, folder: String, description: String?) -> [String] {
        let modelFolder = ModelFolder(path: folder)
        do { try modelFolder.check(.all) } catch let error as ModelFolderError {
            return [name, "no", folder, error.problem.description]
        } catch {
            return [name, "no", folder, ErrorMessage.text(for: error)]
        }
        var note = Table.gigabytes(modelFolder.weightBytes)
        if let config = try? ModelConfig.load(path: modelFolder.file("config.json")) { note = "\(config.modelType), " + note }
        if let description { note += ", " + description }
        return [name, "yes", folder, note]
    }
}
