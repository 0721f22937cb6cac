import Foundation
import SeekEngine

/// What is in a Hugging Face model folder, checked before loading so that the user hears what is
/// missing rather than a failure halfway through.
struct ModelFolder {
    let path: String

    /// Why seek cannot run this folder, or nil when it looks complete. Parses config.json, so an
    /// unsupported architecture is reported here too.
    func problem(needsTokenizer: Bool = true) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "\(path): no such folder"
        }
        guard isDirectory.boolValue else { return "\(path): not a folder (a model is a folder with config.json and *.safetensors)" }
        let config = file("config.json")
        guard FileManager.default.fileExists(atPath: config) else {
            return "\(path): no config.json (not a Hugging Face model folder)"
        }
        do { _ = try ModelConfig.load(path: config) } catch { return String(describing: error) }
        guard !safetensorsFiles.isEmpty else { return "\(path): no *.safetensors weights" }
        if needsTokenizer, !FileManager.default.fileExists(atPath: file("tokenizer.json")) {
            return "\(path): no tokenizer.json (seek needs the model's tokenizer to read and write text)"
        }
        return nil
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    var safetensorsFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.sorted()
    }

    /// Total size of the weight files in bytes.
    var weightBytes: Int {
        safetensorsFiles.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file(name))
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}
