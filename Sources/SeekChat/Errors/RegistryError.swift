/// A model registry file (models.json) that cannot be used: the file, the entry (when one entry is at
/// fault) and the problem.
public struct RegistryError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case noSuchFile
        case unreadable
        case notJSON(detail: String)
        case notARegistry
        case entryNotAnObject
        case missingPath
        case notAString(key: String)
        /// A path field names an environment variable that is not set.
        case unsetVariable(key: String, variable: String)
        case bothTemplates
        case unreadableTemplateFile(path: String)
        case invalidContextSize
        case invalidQuantization
        case samplingNotAnObject
        case stopNotStrings
        case invalidSetting(SettingError)
        /// A key seek does not know (a misspelling would otherwise be ignored).
        case unknownKey(key: String, known: [String])
        case settingNotANumber(key: String, value: String)
        /// An entry with both a folder and a server.
        case pathAndRemote
    }

    public let file: String
    /// The entry's name, when the problem is in one entry.
    public let model: String?
    public let problem: Problem

    public init(file: String, model: String? = nil, problem: Problem) {
        self.file = file
        self.model = model
        self.problem = problem
    }

    public var description: String {
        guard let model else { return "\(file): \(problem)" }
        if problem == .entryNotAnObject { return "\(file): model \"\(model)\" must be an object" }
        return "\(file): model \"\(model)\": \(problem)"
    }
}

extension RegistryError.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noSuchFile: return "no such model registry file"
        case .unreadable: return "cannot read the model registry"
        case .notJSON(let detail): return "not valid JSON (\(detail))"
        case .notARegistry: return "expected {\"models\": {\"NAME\": {\"path\": …}, …}}"
        case .entryNotAnObject: return "must be an object"
        case .missingPath: return "missing \"path\""
        case .notAString(let key): return "\"\(key)\" must be a string"
        case .unsetVariable(let key, let variable): return "\(key) uses $\(variable), which is not set"
        case .bothTemplates: return "give chat_template or chat_template_file, not both"
        case .unreadableTemplateFile(let path): return "cannot read chat_template_file \(path)"
        case .invalidContextSize: return "context_size must be a positive integer"
        case .invalidQuantization: return "quant must be \"q8\", \"q4\" or \"auto\""
        case .samplingNotAnObject: return "\"sampling\" must be an object"
        case .stopNotStrings: return "sampling.stop must be a list of strings"
        case .invalidSetting(let error): return "sampling: \(error)"
        case .unknownKey(let key, let known): return "unknown key \"\(key)\" (known: \(known.joined(separator: ", ")))"
        case .settingNotANumber(let key, let value): return "sampling: \(key) must be a number, got \(value)"
        case .pathAndRemote: return "give \"path\" (a folder) or \"remote\" (a server's URL), not both"
        }
    }
}
