import Foundation

/// All tensors of a model folder: one `model.safetensors`, or the shards that
/// `model.safetensors.index.json` names. Knows nothing about models.
public final class TensorStore: @unchecked Sendable {
    public let folder: String
    private var files: [SafeTensorsFile] = []
    private var index: [String: TensorView] = [:]

    public init(folder: String) throws {
        self.folder = folder
        let fm = FileManager.default
        let indexPath = (folder as NSString).appendingPathComponent("model.safetensors.index.json")
        var shardNames: [String]
        if fm.fileExists(atPath: indexPath) {
            guard let data = fm.contents(atPath: indexPath),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let weightMap = json["weight_map"] as? [String: String]
            else { throw SeekError("\(indexPath): not a valid safetensors index (needs a \"weight_map\" object)") }
            shardNames = Array(Set(weightMap.values)).sorted()
            for shard in shardNames where !fm.fileExists(atPath: (folder as NSString).appendingPathComponent(shard)) {
                throw SeekError("\(indexPath): shard '\(shard)' is named in the index but missing from the folder")
            }
            try load(shardNames)
            for (tensor, shard) in weightMap where index[tensor]?.file != shard {
                throw SeekError("\(indexPath): tensor '\(tensor)' is mapped to \(shard) but not found there")
            }
        } else {
            let single = (folder as NSString).appendingPathComponent("model.safetensors")
            if fm.fileExists(atPath: single) {
                shardNames = ["model.safetensors"]
            } else {
                shardNames = ((try? fm.contentsOfDirectory(atPath: folder)) ?? [])
                    .filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix("reference") }.sorted()
            }
            guard !shardNames.isEmpty else { throw SeekError("\(folder): no *.safetensors weights in the folder") }
            try load(shardNames)
        }
    }

    private func load(_ shardNames: [String]) throws {
        for shard in shardNames {
            let file = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent(shard))
            files.append(file)
            for (name, view) in file.tensors {
                if let existing = index[name] {
                    throw SeekError("\(shard): tensor '\(name)' is also in \(existing.file)")
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
