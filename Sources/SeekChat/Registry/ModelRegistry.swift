import Foundation
import SeekJSON
import SeekEngine

/// One named model in the registry (see models.example.json for the format).
public struct ModelEntry: Sendable {
    public var name: String
    /// Absolute folder path, `~` and `$VAR` expanded, relative paths taken from the registry's folder.
    public var path: String
    public var description: String?
    /// Why the entry cannot be used (a bad value, an unknown key, a path naming an unset variable).
    /// Only this entry fails: the others, and model folders given by path, still run.
    public var unavailable: RegistryError?
    /// Jinja source that replaces the tokenizer's chat template.
    public var chatTemplate: String?
    /// Default system message.
    public var system: String?
    public var contextSize: Int?
    /// Quantize while loading (`"quant": "q8"` or `"q4"`), unless the caller asks otherwise.
    public var quantization: QuantFormat?
    /// `"quant": "auto"`: the most precise weights that fit in memory.
    public var quantizeToFit = false
    /// Default sampling settings as (name, value) pairs for `SamplingSettings.set`, already checked.
    public var sampling: [(name: String, value: String)] = []
    /// Default stop strings.
    public var stop: [String]?
    /// An OpenAI-compatible API to use instead of a folder (`"remote": "https://host/v1"`); `path` is then empty.
    public var remote: String?
    /// The model's id on that server (`"model"`); nil: the server's first.
    public var remoteModel: String?
    /// The environment variable holding the server's API key (`"api_key_env"`).
    public var apiKeyEnvironmentVariable: String?

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// `base` with this entry's defaults applied.
    public func samplingDefaults(over base: SamplingSettings) -> SamplingSettings {
        var settings = base
        for (name, value) in sampling { try? settings.set(name, to: value) }  // checked when the registry loaded
        if let stop { settings.stop = stop }
        return settings
    }
}

/// The user's named models: an explicit file, else `$SEEK_MODELS`, else `$XDG_CONFIG_HOME/seek/models.json`
/// (`~/.config/seek/models.json` when XDG_CONFIG_HOME is unset). A missing default file is an empty registry.
public struct ModelRegistry: Sendable {
    /// The file the entries came from, or nil when there is none.
    public let file: String?
    public let entries: [ModelEntry]

    /// The entry with this name, if any.
    public func entry(named name: String) -> ModelEntry? { entries.first { $0.name == name } }

    /// The registry file used when none is given: `$XDG_CONFIG_HOME/seek/models.json`, else `~/.config/seek/models.json`.
    public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return config + "/seek/models.json"
        }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/seek/models.json"
    }

    /// Reads `explicitFile`, else `$SEEK_MODELS`, else the default location (which may be missing: no entries). Throws `RegistryError`.
    public static func load(explicitFile: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModelRegistry {
        let chosen = explicitFile ?? environment["SEEK_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
        let path = try chosen.map { try PathExpansion.expand($0, environment: environment) } ?? defaultLocation(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if chosen != nil { throw RegistryError(file: path, problem: .noSuchFile) }
            return ModelRegistry(file: nil, entries: [])
        }
        let data = try RegularFile.read(path, limit: RegularFile.smallFileLimit)
        return try ModelRegistry(path: path, data: data, environment: environment)
    }

    public init(file: String?, entries: [ModelEntry]) {
        self.file = file
        self.entries = entries
    }

    public init(path: String, data: Data, environment: [String: String]) throws {
        let json: JSON
        do { json = try JSONParser.parse([UInt8](data)) } catch {
            throw RegistryError(file: path, problem: .notJSON(detail: error.description))  // "line 3, column 7: …"
        }
        guard case .object(let root) = json, case .object(let models)? = root["models"] else {
            throw RegistryError(file: path, problem: .notARegistry)
        }
        if let key = root.members.map(\.key).sorted().first(where: { $0 != "models" && !$0.hasPrefix("_") }) {
            throw RegistryError(file: path, problem: .unknownKey(key: key, known: ["models"]))
        }
        let folder = (path as NSString).deletingLastPathComponent
        var entries: [ModelEntry] = []
        for (name, value) in models.members where !name.hasPrefix("_") {
            // A bad entry is reported when it is used (and by `seek models`), not for every model.
            do {
                guard case .object(let fields) = value else { throw RegistryError(file: path, model: name, problem: .entryNotAnObject) }
                entries.append(try ModelRegistry.entry(name: name, fields: fields, file: path, folder: folder, environment: environment))
            } catch let error as RegistryError {
                var broken = ModelEntry(name: name, path: value["path"]?.stringValue ?? "")
                broken.unavailable = error
                entries.append(broken)
            }
        }
        // "default" first, then alphabetical: the order listings show.
        entries.sort { ($0.name == "default" ? "" : $0.name) < ($1.name == "default" ? "" : $1.name) }
        self.init(file: path, entries: entries)
    }

    /// The keys an entry may have (besides `_comments`).
    static let entryKeys = ["path", "description", "system", "chat_template", "chat_template_file", "context_size",
                            "quant", "sampling", "remote", "model", "api_key_env"]

    private static func entry(name: String, fields: JSONObject, file: String, folder: String,
                              environment: [String: String]) throws -> ModelEntry {
        func failure(_ problem: RegistryError.Problem) -> RegistryError { RegistryError(file: file, model: name, problem: problem) }
        func expand(_ raw: String, _ key: String) throws -> String {
            do { return try PathExpansion.expand(raw, relativeTo: folder, environment: environment) } catch let unset as PathExpansion.UnsetVariable {
                throw failure(.unsetVariable(key: key, variable: unset.name))
            }
        }
        func string(_ key: String) throws -> String? {
            guard let value = fields[key] else { return nil }
            guard case .string(let text) = value else { throw failure(.notAString(key: key)) }
            return text
        }
        if let key = fields.members.map(\.key).sorted().first(where: { !ModelRegistry.entryKeys.contains($0) && !$0.hasPrefix("_") }) {
            throw failure(.unknownKey(key: key, known: ModelRegistry.entryKeys))
        }
        let remote = try string("remote")
        guard let rawPath = try string("path") ?? (remote != nil ? "" : nil) else { throw failure(.missingPath) }
        var entry = ModelEntry(name: name, path: rawPath)
        if let remote {
            if !rawPath.isEmpty { throw failure(.pathAndRemote) }
            entry.remote = remote
            entry.remoteModel = try string("model")
            entry.apiKeyEnvironmentVariable = try string("api_key_env")
        } else {
            do { entry.path = try expand(rawPath, "path") } catch let error as RegistryError {
                entry.unavailable = error  // one entry's unset variable must not hide the others
            }
        }
        entry.description = try string("description")
        entry.system = try string("system")
        entry.chatTemplate = try string("chat_template")
        if let templateFile = try string("chat_template_file") {
            if entry.chatTemplate != nil { throw failure(.bothTemplates) }
            let templatePath = try expand(templateFile, "chat_template_file")
            guard let data = try? RegularFile.read(templatePath, limit: RegularFile.smallFileLimit),
                  let source = String(data: data, encoding: .utf8) else {
                throw failure(.unreadableTemplateFile(path: templatePath))
            }
            entry.chatTemplate = source
        }
        if let contextValue = fields["context_size"] {
            guard let number = contextValue.doubleValue, let size = Int(exactly: number), size > 0 else {
                throw failure(.invalidContextSize)
            }
            entry.contextSize = size
        }
        if let quantValue = fields["quant"] {
            guard case .string(let text) = quantValue, text == "auto" || QuantFormat(rawValue: text) != nil else {
                throw failure(.invalidQuantization)
            }
            entry.quantization = QuantFormat(rawValue: text)
            entry.quantizeToFit = text == "auto"
        }
        if let sampling = fields["sampling"] {
            guard case .object(let values) = sampling else { throw failure(.samplingNotAnObject) }
            var scratch = SamplingSettings()
            for (key, value) in values.members.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("_") {
                if key == "stop" {
                    let stops = value.arrayValue?.compactMap(\.stringValue)
                    guard let stops, stops.count == value.arrayValue?.count else { throw failure(.stopNotStrings) }
                    entry.stop = stops
                    continue
                }
                // A number, as JSON writes it: `true` is not 1, and "0.7" is a string, not a temperature.
                guard value.doubleValue != nil else { throw failure(.settingNotANumber(key: key, value: value.description)) }
                let text = value.description
                do { try scratch.set(key, to: text) } catch let error as SettingError { throw failure(.invalidSetting(error)) }
                entry.sampling.append((key, text))
            }
        }
        return entry
    }
}
