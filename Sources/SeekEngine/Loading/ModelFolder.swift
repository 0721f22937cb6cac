import Foundation

/// A Hugging Face model folder: config.json, the weight files, the tokenizer. The one place that says
/// which files hold the weights and whether a folder is complete enough to run.
public struct ModelFolder: Sendable {
    /// What a caller needs from the folder.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// config.json (parsed, so an unsupported architecture is reported too) and the weight files.
        public static let weights = Parts(rawValue: 1)
        /// tokenizer.json.
        public static let tokenizer = Parts(rawValue: 2)
        public static let all: Parts = [.weights, .tokenizer]
    }

    public static let indexName = "model.safetensors.index.json"
    public static let singleFileName = "model.safetensors"

    public let path: String

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Throws the first thing the folder lacks for `parts`: a `ModelFolderError`, or the `ConfigError`
    /// of a config.json seek cannot run.
    public func check(_ parts: Parts = .all) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFolderError(folder: path, problem: .noSuchFolder)
        }
        guard isDirectory.boolValue else { throw ModelFolderError(folder: path, problem: .notAFolder) }
        if parts.contains(.weights) {
            guard FileManager.default.fileExists(atPath: file("config.json")) else {
                throw ModelFolderError(folder: path, problem: .noConfig)
            }
            _ = try ModelConfig.load(path: file("config.json"))
            if hasIndex { _ = try indexWeightMap() }
            guard !weightFileNames.isEmpty else { throw ModelFolderError(folder: path, problem: .noWeights) }
        }
        if parts.contains(.tokenizer), !FileManager.default.fileExists(atPath: file("tokenizer.json")) {
            throw ModelFolderError(folder: path, problem: .noTokenizer)
        }
    }

    /// Whether the weights are sharded with an index (`model.safetensors.index.json`).
    public var hasIndex: Bool { FileManager.default.fileExists(atPath: file(ModelFolder.indexName)) }

    /// The files that hold the model's weights, as Hugging Face names them: the shards an index lists
    /// (read by `TensorStore`, which checks them), else `model.safetensors`, else every
    /// `model*.safetensors`. Other safetensors files in the folder (a reference, an adapter) are not
    /// weights of this model.
    public var weightFileNames: [String] {
        if hasIndex, let shards = try? indexedShards() { return shards }
        if FileManager.default.fileExists(atPath: file(ModelFolder.singleFileName)) { return [ModelFolder.singleFileName] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasPrefix("model") && $0.hasSuffix(".safetensors") }.sorted()
    }

    /// The index's tensor → shard map.
    public func indexWeightMap() throws -> [String: String] {
        let indexPath = file(ModelFolder.indexName)
        guard let data = FileManager.default.contents(atPath: indexPath),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let weightMap = json["weight_map"] as? [String: String]
        else { throw ModelFileError(file: indexPath, problem: .invalidIndex) }
        return weightMap
    }

    private func indexedShards() throws -> [String] { Array(Set(try indexWeightMap().values)).sorted() }

    /// Total size of the weight files in bytes.
    public var weightBytes: Int {
        weightFileNames.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file(name))
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}
