import Foundation
import SeekEngine

/// One named model in the registry (see models.example.json for the format).
struct ModelEntry {
    var name: String
    /// Absolute folder path, `~` and `$VAR` expanded, relative paths taken from the registry's folder.
    var path: String
    var description: String?
    /// Why the entry cannot be used although the file is fine (its path names an unset variable).
    var unavailable: String?
    /// Jinja source that replaces the tokenizer's chat template.
    var chatTemplate: String?
    /// Default system message.
    var system: String?
    var contextSize: Int?
    /// Quantize while loading (`"quant": "q8"` or `"q4"`), unless --quant says otherwise.
    var quantization: QuantFormat?
    /// Default sampling settings as (name, value) pairs for `SamplingSettings.set`, already checked.
    var sampling: [(name: String, value: String)] = []
    /// Default stop strings.
    var stop: [String]?

    /// `base` with this entry's defaults applied.
    func samplingDefaults(over base: SamplingSettings) -> SamplingSettings {
        var settings = base
        for (name, value) in sampling { try? settings.set(name, to: value) }  // checked when the registry loaded
        if let stop { settings.stop = stop }
        return settings
    }
}

/// The user's named models: `--models FILE`, else `$SEEK_MODELS`, else `$XDG_CONFIG_HOME/seek/models.json`
/// (`~/.config/seek/models.json` when XDG_CONFIG_HOME is unset). A missing default file is an empty registry.
struct ModelRegistry {
    /// The file the entries came from, or nil when there is none.
    let file: String?
    let entries: [ModelEntry]

    func entry(named name: String) -> ModelEntry? { entries.first { $0.name == name } }

    static func defaultLocation(environment: [String: String]) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return config + "/seek/models.json"
        }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/seek/models.json"
    }

    static func load(explicitFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModelRegistry {
        let chosen = explicitFile ?? environment["SEEK_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
        let path = try chosen.map { try PathExpansion.expand($0, environment: environment) } ?? defaultLocation(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if chosen != nil { throw SeekError("\(path): no such model registry file") }
            return ModelRegistry(file: nil, entries: [])
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw SeekError("\(path): cannot read the model registry") }
        return try ModelRegistry(path: path, data: data, environment: environment)
    }

    init(file: String?, entries: [ModelEntry]) {
        self.file = file
        self.entries = entries
    }

    init(path: String, data: Data, environment: [String: String]) throws {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw SeekError("\(path): not valid JSON (\(error.localizedDescription))")
        }
        guard let root = json as? [String: Any], let models = root["models"] as? [String: Any] else {
            throw SeekError("\(path): expected {\"models\": {\"NAME\": {\"path\": …}, …}}")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var entries: [ModelEntry] = []
        for (name, value) in models where !name.hasPrefix("_") {
            guard let fields = value as? [String: Any] else { throw SeekError("\(path): model \"\(name)\" must be an object") }
            entries.append(try ModelRegistry.entry(name: name, fields: fields, file: path, folder: folder, environment: environment))
        }
        // "default" first, then alphabetical: the order `seek models` prints.
        entries.sort { ($0.name == "default" ? "" : $0.name) < ($1.name == "default" ? "" : $1.name) }
        self.init(file: path, entries: entries)
    }

    private static func entry(name: String, fields: [String: Any], file: String, folder: String,
                              environment: [String: String]) throws -> ModelEntry {
        let context = "\(file): model \"\(name)\""
        func expand(_ raw: String, _ key: String) throws -> String {
            do { return try PathExpansion.expand(raw, relativeTo: folder, environment: environment) } catch let unset as PathExpansion.UnsetVariable {
                throw SeekError("\(context): \(key) uses $\(unset.name), which is not set")
            }
        }
        func string(_ key: String) throws -> String? {
            guard let value = fields[key] else { return nil }
            guard let text = value as? String else { throw SeekError("\(context): \"\(key)\" must be a string") }
            return text
        }
        guard let rawPath = try string("path") else { throw SeekError("\(context): missing \"path\"") }
        var entry = ModelEntry(name: name, path: rawPath)
        do { entry.path = try expand(rawPath, "path") } catch {
            entry.unavailable = String(describing: error)  // one entry's unset variable must not hide the others
        }
        entry.description = try string("description")
        entry.system = try string("system")
        entry.chatTemplate = try string("chat_template")
        if let templateFile = try string("chat_template_file") {
            if entry.chatTemplate != nil { throw SeekError("\(context): give chat_template or chat_template_file, not both") }
            let templatePath = try expand(templateFile, "chat_template_file")
            guard let data = FileManager.default.contents(atPath: templatePath), let source = String(data: data, encoding: .utf8) else {
                throw SeekError("\(context): cannot read chat_template_file \(templatePath)")
            }
            entry.chatTemplate = source
        }
        if let contextValue = fields["context_size"] {
            guard let size = contextValue as? Int, size > 0 else { throw SeekError("\(context): context_size must be a positive integer") }
            entry.contextSize = size
        }
        if let quantValue = fields["quant"] {
            guard let text = quantValue as? String, let format = QuantFormat(rawValue: text) else {
                throw SeekError("\(context): quant must be \"q8\" or \"q4\"")
            }
            entry.quantization = format
        }
        if let sampling = fields["sampling"] {
            guard let values = sampling as? [String: Any] else { throw SeekError("\(context): \"sampling\" must be an object") }
            var scratch = SamplingSettings()
            for (key, value) in values.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("_") {
                if key == "stop" {
                    guard let stops = value as? [String] else { throw SeekError("\(context): sampling.stop must be a list of strings") }
                    entry.stop = stops
                    continue
                }
                let text = "\(value)"
                do { try scratch.set(key, to: text) } catch { throw SeekError("\(context): sampling: \(error)") }
                entry.sampling.append((key, text))
            }
        }
        return entry
    }
}

