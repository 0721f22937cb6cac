import Foundation

/// The model folder's own sampling defaults from Hugging Face's `generation_config.json`
/// (`do_sample`, `temperature`, `top_k`, `top_p`, `repetition_penalty`, `max_new_tokens`), applied
/// after seek's defaults and before the registry entry's and the caller's.
public enum GenerationDefaults {
    /// `base` with the folder's defaults applied; values that cannot be used come back as warnings.
    public static func applied(folder: String, to base: SamplingSettings) -> (settings: SamplingSettings, warnings: [ChatWarning]) {
        let path = (folder as NSString).appendingPathComponent("generation_config.json")
        guard let data = FileManager.default.contents(atPath: path) else { return (base, []) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return (base, [.generationConfigNotAnObject(file: path)])
        }
        var settings = base
        var warnings: [ChatWarning] = []
        let mapping = [("temperature", "temperature"), ("top_k", "top_k"), ("top_p", "top_p"),
                       ("repetition_penalty", "repeat_penalty"), ("max_new_tokens", "max_tokens")]
        for (key, setting) in mapping {
            guard let value = json[key] as? NSNumber else { continue }
            do { try settings.set(setting, to: "\(value)") } catch let error as SettingError {
                warnings.append(.generationConfigValueIgnored(file: path, key: key, value: "\(value)", reason: error))
            } catch {
                continue  // `set` throws only SettingError
            }
        }
        if let sample = json["do_sample"] as? Bool, !sample { settings.parameters.temperature = 0 }  // greedy
        return (settings, warnings)
    }
}
