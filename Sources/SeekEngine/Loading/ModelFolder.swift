import Foundation
import SeekJSON

/// A Hugging Face model folder: config.json, the weight files, the tokenizer. The one place that says
/// which files hold the weights and whether a folder is complete enough to run. Every file it names is
/// a regular file inside the folder (symlinks to elsewhere are fine, as the Hugging Face cache uses
/// them; names from the index that lead out of the folder are not).
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

    /// Throws the first thing the folder lacks for `parts`: a `ModelFolderError`, the `ConfigError` of a
    /// config.json seek cannot run, or the `FileReadError` of a file that is not a readable regular file.
    public func check(_ parts: Parts = .all) throws {
        var isDirectory: ObjCBool = false
        guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFolderError(folder: path, problem: .noSuchFolder)
        }
        guard isDirectory.boolValue else { throw ModelFolderError(folder: path, problem: .notAFolder) }
        if parts.contains(.weights) {
            try requireFile("config.json", else: .noConfig)
            _ = try ModelConfig.load(path: file("config.json"))
            if hasIndex { _ = try indexWeightMap() }
            let names = weightFileNames
            guard !names.isEmpty else { throw ModelFolderError(folder: path, problem: .noWeights) }
            for name in names {
                if hasIndex && !exists(name) {
                    throw ModelFileError(file: file(ModelFolder.indexName), problem: .shardMissing(shard: name))
                }
                try RegularFile.check(file(name))
            }
        }
        if parts.contains(.tokenizer) {
            try requireFile("tokenizer.json", else: .noTokenizer)
            // Optional, but read when present: it must not be a FIFO either.
            if exists("tokenizer_config.json") { try RegularFile.check(file("tokenizer_config.json")) }
        }
    }

    /// Throws `missing` when the file is absent, a `FileReadError` when it is not a regular file.
    private func requireFile(_ name: String, else missing: ModelFolderError.Problem) throws {
        do { try RegularFile.check(file(name)) } catch let error as FileReadError where error.problem == .noSuchFile {
            throw ModelFolderError(folder: path, problem: missing)
        }
    }

    /// Whether something (even a broken one) by that name is in the folder.
    private func exists(_ name: String) -> Bool {
        var st = stat()
        return lstat(file(name), &st) == 0
    }

    /// Whether the weights are sharded with an index (`model.safetensors.index.json`).
    public var hasIndex: Bool { exists(ModelFolder.indexName) }

    /// The files that hold the model's weights, as Hugging Face names them: the shards an index lists
    /// (read by `TensorStore`, which checks them), else `model.safetensors`, else every
    /// `model*.safetensors`. Other safetensors files in the folder (a reference, an adapter) are not
    /// weights of this model.
    public var weightFileNames: [String] {
        if hasIndex { return (try? indexedShards()) ?? [] }
        if exists(ModelFolder.singleFileName) { return [ModelFolder.singleFileName] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasPrefix("model") && $0.hasSuffix(".safetensors") }.sorted()
    }

    /// The index's tensor → shard map. Every shard name must stay inside the folder.
    public func indexWeightMap() throws -> [String: String] {
        let indexPath = file(ModelFolder.indexName)
        let data = try RegularFile.read(indexPath, limit: RegularFile.indexFileLimit)
        guard case .object(let map)? = (try? JSONParser.parse([UInt8](data)))?["weight_map"] else {
            throw ModelFileError(file: indexPath, problem: .invalidIndex)
        }
        var weightMap: [String: String] = [:]
        for (tensor, shard) in map.members {
            guard case .string(let name) = shard else { throw ModelFileError(file: indexPath, problem: .invalidIndex) }
            weightMap[tensor] = name
        }
        for shard in Set(weightMap.values) where !ModelFolder.staysInside(shard) {
            throw FileReadError(file: indexPath, problem: .outsideFolder(name: shard))
        }
        return weightMap
    }

    /// Whether a relative name read from a file stays inside the folder: not absolute, no `..`.
    static func staysInside(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0") else { return false }
        return !name.split(separator: "/").contains("..")
    }

    private func indexedShards() throws -> [String] { Array(Set(try indexWeightMap().values)).sorted() }

    /// Total size of the weight files in bytes.
    public var weightBytes: Int {
        weightFileNames.reduce(0) { total, name in total + ((try? RegularFile.check(file(name))) ?? 0) }
    }
}
