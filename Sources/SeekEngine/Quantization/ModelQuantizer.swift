import Foundation
import SeekJSON

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

    /// Bytes that quantizing `folder` to `format` while loading allocates in memory (at least): the
    /// quantizable matrices as blocks, and kv_b_proj's per-head copies in q8. Everything else stays
    /// mapped from the files. Nil when the sum cannot be counted.
    public static func inMemoryBytes(folder: String, format: QuantFormat) throws -> Int? {
        let store = try TensorStore(folder: folder)
        var terms: [Int] = []
        for name in store.names {
            guard let t = store[name], t.shape.count == 2, [.bf16, .f16, .f32].contains(t.dtype) else { continue }
            if WeightBinding.isQuantizable(name, shape: t.shape) {
                terms.append(format.matrixBytes(rows: t.shape[0], cols: t.shape[1]))
            } else if name.hasSuffix("kv_b_proj.weight") {
                terms.append(QuantFormat.q8.matrixBytes(rows: t.shape[0], cols: t.shape[1]))
            }
        }
        return CheckedSize.sum(terms)
    }

    /// Writes `folder` quantized to `format` into `output` (a new or empty folder). `progress` hears the
    /// source bytes done after each tensor; `fileWritten` each weight file's name and size when done.
    /// Writes the copy into a temporary folder beside `output` and renames it into place at the end:
    /// on any error nothing half-written is left behind.
    public static func quantize(folder: String, format: QuantFormat, output: String, threads: Int = 0,
                                progress: ProgressHandler? = nil,
                                fileWritten: (_ name: String, _ bytes: Int) -> Void = { _, _ in }) throws -> Summary {
        let store = try TensorStore(folder: folder)
        if let tag = store.quantizationTag {
            throw ModelFileError(file: folder, problem: .alreadyQuantized(format: tag))
        }
        // The whole model is checked first (names, shapes, nothing left over), as loading would.
        try DeepSeekModel.verify(folder: folder)
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, ((try? fm.contentsOfDirectory(atPath: output)) ?? ["?"]).isEmpty else {
                throw ModelFileError(file: output, problem: .outputFolderNotEmpty)
            }
        }
        let parent = (output as NSString).deletingLastPathComponent
        var template = Array(((parent.isEmpty ? "." : parent) + "/." + (output as NSString).lastPathComponent + ".tmp-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw ModelFileError(file: output, problem: .writeFailed(reason: String(cString: strerror(errno))))
        }
        let staging = AtomicFile.string(template)
        do {
            let summary = try write(store: store, folder: folder, format: format, into: staging, threads: threads,
                                    progress: progress, fileWritten: fileWritten)
            chmod(staging, 0o755)
            if fm.fileExists(atPath: output) { rmdir(output) }  // the empty folder the user made
            guard rename(staging, output) == 0 else {
                throw ModelFileError(file: output, problem: .writeFailed(reason: String(cString: strerror(errno))))
            }
            AtomicFile.syncFolder(parent.isEmpty ? "." : parent)
            return summary
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    private static func write(store: TensorStore, folder: String, format: QuantFormat, into output: String, threads: Int,
                              progress: ProgressHandler?, fileWritten: (_ name: String, _ bytes: Int) -> Void) throws -> Summary {
        let pool = WorkerPool(threads: threads)
        let fm = FileManager.default

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
            let map = JSONObject(weightMap.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
            let index: JSON = ["metadata": ["total_size": .int(summary.outputBytes)], "weight_map": .object(map)]
            let path = (output as NSString).appendingPathComponent("model.safetensors.index.json")
            // As transformers writes it: json.dumps(index, indent=2, sort_keys=True).
            let text = try JSONWriter(ensureASCII: false, indent: "  ", sortKeys: true).string(index) + "\n"
            try copy(Data(text.utf8), to: path)
        }
        // Config, tokenizer and the other regular files travel unchanged: their content, not a symlink
        // (a Hugging Face cache's relative links would dangle in the copy).
        for name in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        where !name.hasSuffix(".safetensors") && name != ModelFolder.indexName && !name.hasPrefix(".") {
            let src = (folder as NSString).appendingPathComponent(name)
            guard RegularFile.exists(src) else { continue }  // folders, FIFOs, devices: not model files
            try copyFile(src, to: (output as NSString).appendingPathComponent(name))
        }
        return summary
    }

    private static func copy(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelFileError(file: path, problem: .writeFailed(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        do { try AtomicFile.writeAll(data, to: fd, file: path) } catch let error as AtomicFileError {
            throw ModelFileError(file: path, problem: .writeFailed(reason: error.reason))
        }
    }

    /// Streams a file's content to `path` (however large: 1 MiB at a time).
    private static func copyFile(_ source: String, to path: String) throws {
        let (input, _) = try RegularFile.open(source)
        defer { close(input) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelFileError(file: path, problem: .writeFailed(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(file: source, problem: .cannotRead(reason: String(cString: strerror(errno))))
            }
            if count == 0 { return }
            do { try AtomicFile.writeAll(Data(buffer[0..<count]), to: fd, file: path) } catch let error as AtomicFileError {
                throw ModelFileError(file: path, problem: .writeFailed(reason: error.reason))
            }
        }
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
