import Foundation
import SeekEngine

/// A model the user asked for, located on disk.
public struct ResolvedModel: Sendable {
    /// The registry name, or the folder's last component for a path.
    public var displayName: String
    public var folder: String
    /// The registry entry, when the model came from one.
    public var entry: ModelEntry?

    public init(displayName: String, folder: String, entry: ModelEntry? = nil) {
        self.displayName = displayName
        self.folder = folder
        self.entry = entry
    }
}

/// Turns a model name, a folder path, or nothing (the default model) into a folder.
public enum ModelResolver {
    /// A registry name, a folder path, or nil for the default model (the registry's "default", else the bundled one). Throws the entry's `RegistryError` or `ModelResolutionError`.
    public static func resolve(_ argument: String?, registry: ModelRegistry,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ResolvedModel {
        guard let argument else { return try defaultModel(registry: registry, environment: environment) }
        guard !argument.isEmpty else { throw ModelResolutionError.emptyName }
        if let entry = registry.entry(named: argument) { return try resolved(entry) }
        if argument == "default" { return try defaultModel(registry: registry, environment: environment) }
        let looksLikePath = argument.contains("/") || argument.hasPrefix("~") || argument.hasPrefix(".")
        let expanded = (try? PathExpansion.expand(argument, environment: environment)) ?? argument
        if looksLikePath || FileManager.default.fileExists(atPath: expanded) {
            return ResolvedModel(displayName: (expanded as NSString).lastPathComponent, folder: expanded, entry: nil)
        }
        let known = ["default"] + registry.entries.map(\.name).filter { $0 != "default" }
        throw ModelResolutionError.unknownName(argument, registryFile: registry.file, known: known)
    }

    private static func resolved(_ entry: ModelEntry) throws -> ResolvedModel {
        if let unavailable = entry.unavailable { throw unavailable }
        if let url = entry.remote { throw ModelResolutionError.remoteModel(name: entry.name, url: url) }
        return ResolvedModel(displayName: entry.name, folder: entry.path, entry: entry)
    }

    private static func defaultModel(registry: ModelRegistry, environment: [String: String]) throws -> ResolvedModel {
        if let entry = registry.entry(named: "default") { return try resolved(entry) }
        guard let folder = BundledModel.locate(environment: environment) else {
            throw ModelResolutionError.bundledModelNotFound(folderName: BundledModel.folderName)
        }
        return ResolvedModel(displayName: (folder as NSString).lastPathComponent, folder: folder, entry: nil)
    }
}
