import Foundation
import SeekEngine

/// A model the user asked for, located on disk.
struct ResolvedModel {
    /// The registry name, or the folder's last component for a path.
    var displayName: String
    var folder: String
    /// The registry entry, when the model came from one.
    var entry: ModelEntry?
}

/// Turns `-m NAME|DIR` (or its absence) into a folder.
enum ModelResolver {
    static func resolve(_ argument: String?, registry: ModelRegistry,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ResolvedModel {
        guard let argument else { return try defaultModel(registry: registry, environment: environment) }
        if let entry = registry.entry(named: argument) {
            if let unavailable = entry.unavailable { throw SeekError(unavailable) }
            return ResolvedModel(displayName: entry.name, folder: entry.path, entry: entry)
        }
        if argument == "default" { return try defaultModel(registry: registry, environment: environment) }
        let looksLikePath = argument.contains("/") || argument.hasPrefix("~") || argument.hasPrefix(".")
        let expanded = (try? PathExpansion.expand(argument, environment: environment)) ?? argument
        if looksLikePath || FileManager.default.fileExists(atPath: expanded) {
            return ResolvedModel(displayName: (expanded as NSString).lastPathComponent, folder: expanded, entry: nil)
        }
        throw SeekError(unknownNameMessage(argument, registry: registry))
    }

    private static func defaultModel(registry: ModelRegistry, environment: [String: String]) throws -> ResolvedModel {
        if let entry = registry.entry(named: "default") {
            if let unavailable = entry.unavailable { throw SeekError(unavailable) }
            return ResolvedModel(displayName: entry.name, folder: entry.path, entry: entry)
        }
        guard let folder = BundledModel.locate(environment: environment) else {
            throw SeekError("no -m given and the bundled model \(BundledModel.folderName) was not found "
                + "(set SEEK_DEFAULT_MODEL or pass -m NAME|DIR)")
        }
        return ResolvedModel(displayName: (folder as NSString).lastPathComponent, folder: folder, entry: nil)
    }

    private static func unknownNameMessage(_ name: String, registry: ModelRegistry) -> String {
        let known = (["default"] + registry.entries.map(\.name).filter { $0 != "default" }).joined(separator: ", ")
        let source = registry.file.map { " in \($0)" } ?? " (no registry file: see models.example.json)"
        return "unknown model \"\(name)\"\(source); known models: \(known); or pass a folder path"
    }
}
