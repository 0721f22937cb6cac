/// A model name or folder that does not lead to a model.
public enum ModelResolutionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Neither a registry name nor a path. `known` lists the names that are.
    case unknownName(String, registryFile: String?, known: [String])
    /// No model was asked for, the registry has no "default" and the bundled model is not installed.
    case bundledModelNotFound(folderName: String)
    /// An empty model name or path (`-m ''`).
    case emptyName
    /// A registry entry that names a server (`"remote"`) where a folder is needed.
    case remoteModel(name: String, url: String)

    public var description: String {
        switch self {
        case .unknownName(let name, let file, let known):
            let source = file.map { " in \($0)" } ?? " (no registry file: see models.example.json)"
            return "unknown model \"\(name)\"\(source); known models: \(known.joined(separator: ", ")); or pass a folder path"
        case .bundledModelNotFound(let folderName):
            return "no model given and the bundled model \(folderName) was not found (set SEEK_DEFAULT_MODEL)"
        case .emptyName: return "the model name is empty: give a registry name or a folder path"
        case .remoteModel(let name, let url):
            return "\(name) is a remote model (\(url)): this command needs a model folder"
        }
    }
}
