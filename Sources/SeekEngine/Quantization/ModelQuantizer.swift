import Foundation

/// Writes a quantized copy of a model folder (`seek quantize`): the projections and lm_head as U8 rows
/// of q8/q4 blocks, everything else as stored, plus the folder's config and tokenizer files. The result
/// loads by mmap with no re-quantization.
public enum ModelQuantizer {
    /// Largest shard written (bytes of tensor data).
    static let shardBytes = 4 << 30

    public struct Summary: Sendable {
        public var inputBytes: Int
        public var outputBytes: Int
        public var quantizedTensors: Int
        public var shards: Int
    }

    /// Writes `folder` quantized to `format` into `output` (a new or empty folder). `progress` hears the
    /// source bytes done after each tensor; `fileWritten` each weight file's name and size when done.
    /// Bytes the weight files of `folder` would take quantized to `format` (tensor data; the headers
    /// add a little): the quantizable matrices as blocks, everything else as stored.
    public static func quantizedBytes(folder: String, format: QuantFormat) throws -> Int {
        let store = try TensorStore(folder: folder)
        return store.names.reduce(0) { total, name in
            let t = store[name]!
            let quantize = WeightBinding.isQuantizable(name, shape: t.shape) && [.bf16, .f16, .f32].contains(t.dtype)
            return total + (quantize ? format.matrixBytes(rows: t.shape[0], cols: t.shape[1]) : t.byteCount)
        }
    }

    public static func quantize(folder: String, format: QuantFormat, output: String, threads: Int = 0,
                                progress: ProgressHandler? = nil,
                                fileWritten: (_ name: String, _ bytes: Int) -> Void = { _, _ in }) throws -> Summary {
        let pool = WorkerPool(threads: threads)
        let fm = FileManager.default
        let config = try ModelConfig.load(path: (folder as NSString).appendingPathComponent("config.json"))
        let store = try TensorStore(folder: folder)
        _ = config
        if fm.fileExists(atPath: output), !((try? fm.contentsOfDirectory(atPath: output)) ?? []).isEmpty {
            throw ModelFileError(file: output, problem: .outputFolderNotEmpty)
        }
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)

        // Plan every tensor's output dtype, shape and size, then cut the list into shards.
        struct Planned { let view: TensorView; let quantized: Bool; let dtype: TensorDType; let shape: [Int]; let bytes: Int }
        var plan: [Planned] = []
        for name in store.names.sorted() {
            let t = store[name]!
            let quantize = WeightBinding.isQuantizable(name, shape: t.shape) && [.bf16, .f16, .f32].contains(t.dtype)
            if quantize {
                let rows = t.shape[0], cols = t.shape[1]
                plan.append(Planned(view: t, quantized: true, dtype: .u8, shape: format.storedShape(rows: rows, cols: cols),
                                    bytes: format.matrixBytes(rows: rows, cols: cols)))
            } else {
                plan.append(Planned(view: t, quantized: false, dtype: t.dtype, shape: t.shape, bytes: t.byteCount))
            }
        }
        var shards: [[Planned]] = [[]]
        var shardSize = 0
        for p in plan {
            if shardSize > 0 && shardSize + p.bytes > shardBytes { shards.append([]); shardSize = 0 }
            shards[shards.count - 1].append(p)
            shardSize += p.bytes
        }

        var summary = Summary(inputBytes: store.byteCount, outputBytes: 0, quantizedTensors: 0, shards: shards.count)
        var bytesDone = 0
        let inputBytes = summary.inputBytes
        var weightMap: [String: String] = [:]
        for (i, shard) in shards.enumerated() {
            let fileName = shards.count == 1 ? "model.safetensors"
                : String(format: "model-%05d-of-%05d.safetensors", i + 1, shards.count)
            var writer = SafeTensorsWriter()
            writer.metadata[QuantFormat.metadataKey] = format.rawValue
            writer.metadata[QuantFormat.layoutKey] = QuantFormat.layout
            for p in shard {
                weightMap[p.view.name] = fileName
                writer.add(p.view.name, dtype: p.dtype, shape: p.shape, byteCount: p.bytes) {
                    defer {
                        bytesDone += p.view.byteCount
                        progress?(LoadProgress(stage: .quantizing, done: bytesDone, total: inputBytes, unit: .bytes))
                    }
                    guard p.quantized else {
                        return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: p.view.data), count: p.bytes, deallocator: .none)
                    }
                    let source = try WeightBinding.storedMatrix(p.view, rows: p.view.shape[0], cols: p.view.shape[1])
                    let arena = WeightArena()  // holds the blocks until they are copied out
                    let bytes = withExtendedLifetime(arena) { source.quantized(format, arena: arena, pool: pool).rawBytes }
                    p.view.releaseResidentPages()
                    return bytes
                }
            }
            let offset = writer.dataByteCount
            summary.outputBytes += try writer.write(to: (output as NSString).appendingPathComponent(fileName))
            summary.quantizedTensors += shard.filter(\.quantized).count
            fileWritten(fileName, offset)
        }
        if shards.count > 1 {
            let index: [String: Any] = ["metadata": ["total_size": summary.outputBytes], "weight_map": weightMap]
            try JSONSerialization.data(withJSONObject: index, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: (output as NSString).appendingPathComponent("model.safetensors.index.json")))
        }
        // Config, tokenizer and anything else small travel unchanged.
        for name in try fm.contentsOfDirectory(atPath: folder).sorted()
        where !name.hasSuffix(".safetensors") && name != "model.safetensors.index.json" {
            var isDirectory: ObjCBool = false
            let src = (folder as NSString).appendingPathComponent(name)
            guard fm.fileExists(atPath: src, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            try fm.copyItem(atPath: src, toPath: (output as NSString).appendingPathComponent(name))
        }
        return summary
    }
}

extension WeightMatrix {
    /// The matrix's bytes as stored (for writing quantized matrices).
    var rawBytes: Data {
        let pointer: UnsafeRawPointer
        switch storage {
        case .f32(let p): pointer = UnsafeRawPointer(p)
        case .bf16(let p), .f16(let p): pointer = UnsafeRawPointer(p)
        case .q8(let p), .q4(let p): pointer = p
        }
        return Data(bytes: pointer, count: byteCount)
    }
}
