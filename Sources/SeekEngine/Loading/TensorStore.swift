import Foundation

/// All tensors of a model folder: the weight files `ModelFolder` names (the shards of
/// `model.safetensors.index.json`, or `model.safetensors`, or `model*.safetensors`). Knows nothing about
/// models.
public final class TensorStore: @unchecked Sendable {
    public let folder: String
    private var files: [SafeTensorsFile] = []
    private var index: [String: TensorView] = [:]

    public init(folder: String) throws {
        self.folder = folder
        let modelFolder = ModelFolder(path: folder)
        if modelFolder.hasIndex {
            let indexPath = modelFolder.file(ModelFolder.indexName)
            let weightMap = try modelFolder.indexWeightMap()
            let shardNames = Array(Set(weightMap.values)).sorted()
            for shard in shardNames where !FileManager.default.fileExists(atPath: modelFolder.file(shard)) {
                throw ModelFileError(file: indexPath, problem: .shardMissing(shard: shard))
            }
            try load(shardNames)
            for (tensor, shard) in weightMap where index[tensor]?.file != shard {
                throw ModelFileError(file: indexPath, problem: .tensorNotInShard(tensor: tensor, shard: shard))
            }
        } else {
            let shardNames = modelFolder.weightFileNames
            guard !shardNames.isEmpty else { throw ModelFolderError(folder: folder, problem: .noWeights) }
            try load(shardNames)
        }
    }

    private func load(_ shardNames: [String]) throws {
        for shard in shardNames {
            let file = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent(shard))
            files.append(file)
            for (name, view) in file.tensors {
                if let existing = index[name] {
                    throw ModelFileError(file: shard, problem: .duplicateTensor(tensor: name, otherFile: existing.file))
                }
                index[name] = view
            }
        }
    }

    public var names: Dictionary<String, TensorView>.Keys { index.keys }

    /// The `__metadata__` of the file (by name) that holds a tensor.
    public func metadata(forFile name: String) -> [String: String] {
        files.first { ($0.path as NSString).lastPathComponent == name }?.metadata ?? [:]
    }

    /// The seek_quant tag of the weight files (`seek quantize` output), if any file has one.
    public var quantizationTag: String? {
        files.lazy.compactMap { $0.metadata[QuantFormat.metadataKey] }.first
    }

    /// Starts background read-ahead of every weight file.
    public func adviseWillNeed() { files.forEach { $0.adviseWillNeed() } }

    /// Faults in every page of every weight file now.
    @discardableResult
    public func touchAllPages() -> UInt8 { files.reduce(0) { $0 &+ $1.touchAllPages() } }

    public subscript(name: String) -> TensorView? { index[name] }

    /// Total bytes of all tensors (the weight files' payload).
    public var byteCount: Int { index.values.reduce(0) { $0 + $1.byteCount } }
}
