import Foundation
import SeekJSON
import SeekEngine

/// The model folder's own sampling defaults from Hugging Face's `generation_config.json`
/// (`do_sample`, `temperature`, `top_k`, `top_p`, `repetition_penalty`, `max_new_tokens`), applied
/// after seek's defaults and before the registry entry's and the caller's.
public enum GenerationDefaults {
    /// `base` with the folder's defaults applied; values that cannot be used come back as warnings.
    public static func applied(folder: String, to base: SamplingSettings) -> (settings: SamplingSettings, warnings: [ChatWarning]) {
        let path = (folder as NSString).appendingPathComponent("generation_config.json")
        let data: Data
        do { data = try RegularFile.read(path, limit: RegularFile.smallFileLimit) } catch let error as FileReadError {
            // Absent is normal; present but unreadable is worth a word: the defaults it holds are lost.
            if error.problem == .noSuchFile { return (base, []) }
            return (base, [.generationConfigUnreadable(file: path, problem: error.problem.description)])
        } catch {
            return (base, [.generationConfigUnreadable(file: path, problem: "\(error)")])
        }
        guard case .object(let json)? = try? JSONParser.parse([UInt8](data)) else {
            return (base, [.generationConfigNotAnObject(file: path)])
        }
        var settings = base
        var warnings: [ChatWarning] = []
        let mapping = [("temperature", "temperature"), ("top_k", "top_k"), ("top_p", "top_p"),
                       ("repetition_penalty", "repeat_penalty"), ("max_new_tokens", "max_tokens")]
        for (key, setting) in mapping {
            guard let raw = json[key], raw != .null else { continue }
            let value = raw.description  // as the file wrote it: 0.6, 50, "0.7", true
            guard raw.doubleValue != nil else {
                warnings.append(.generationConfigValueIgnored(file: path, key: key, value: value,
                                                              reason: SettingError(setting: setting, problem: .notANumber(text: value))))
                continue
            }
            do { try settings.set(setting, to: value) } catch let error as SettingError {
                warnings.append(.generationConfigValueIgnored(file: path, key: key, value: value, reason: error))
            } catch {
                continue  // `set` throws only SettingError
            }
        }
        if json["do_sample"] == .bool(false) { settings.parameters.temperature = 0 }  // greedy
        return (settings, warnings)
    }
}
