import Foundation
import SeekJSON

/// Writes a safetensors file: header length, JSON header with sorted names, then the tensor bytes.
/// Tensors can be given as bytes or as a producer called while the file is written, so that a large
/// model streams through without being held in memory.
public struct SafeTensorsWriter {
    public struct Entry {
        public var name: String
        public var dtype: TensorDType
        public var shape: [Int]
        public var byteCount: Int
        /// The tensor's bytes (exactly `byteCount`), asked for once, when the file is written.
        public var bytes: () throws -> Data
    }

    public private(set) var entries: [Entry] = []
    public var metadata: [String: String] = ["format": "pt"]

    public init() {}

    public mutating func add(_ name: String, dtype: TensorDType, shape: [Int], bytes: Data) {
        entries.append(Entry(name: name, dtype: dtype, shape: shape, byteCount: bytes.count, bytes: { bytes }))
    }

    /// A tensor whose `byteCount` bytes `produce` makes when the file is written.
    public mutating func add(_ name: String, dtype: TensorDType, shape: [Int], byteCount: Int,
                             produce: @escaping () throws -> Data) {
        entries.append(Entry(name: name, dtype: dtype, shape: shape, byteCount: byteCount, bytes: produce))
    }

    public mutating func add(_ name: String, floats: [Float], shape: [Int]) {
        add(name, dtype: .f32, shape: shape, bytes: floats.withUnsafeBytes { Data($0) })
    }

    private var sortedEntries: [Entry] { entries.sorted { $0.name < $1.name } }

    /// Bytes of tensor data (the file without its header).
    public var dataByteCount: Int { entries.reduce(0) { $0 + $1.byteCount } }

    /// The 8-byte length and the JSON header, padded with spaces to a multiple of 8 as the reference
    /// writer does.
    public func headerBytes() throws -> Data {
        var header = JSONObject()
        header.append("__metadata__", .object(JSONObject(metadata.map { ($0.key, .string($0.value)) })))
        var offset = 0
        for e in sortedEntries {
            let shape = JSON.array(e.shape.map { .int($0) })
            header.append(e.name, ["dtype": .string(e.dtype.rawValue), "shape": shape, "data_offsets": [.int(offset), .int(offset + e.byteCount)]])
            offset += e.byteCount
        }
        var json = Data(try SafeTensorsWriter.headerWriter.string(.object(header)).utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        return out
    }

    /// Compact, keys sorted (the names, and each entry's fields), as the reference writer orders them.
    private static let headerWriter = JSONWriter(ensureASCII: false, itemSeparator: ",", keySeparator: ":",
                                                 sortKeys: true, allowNonFinite: false)

    /// The whole file in memory (small files: tests, fixtures).
    public func serialized() throws -> Data {
        var out = try headerBytes()
        for e in sortedEntries { out.append(try bytes(of: e, file: "safetensors data")) }
        return out
    }

    /// Writes the file, one tensor at a time, and flushes it to disk; returns its size in bytes. Errors
    /// name the file and say why (strerror: "No space left on device").
    @discardableResult
    public func write(to path: String) throws -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelFileError(file: path, problem: .writeFailed(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        let header = try headerBytes()
        do {
            try AtomicFile.writeAll(header, to: fd, file: path)
            for e in sortedEntries { try AtomicFile.writeAll(try bytes(of: e, file: path), to: fd, file: path) }
            guard fsync(fd) == 0 else { throw AtomicFileError(file: path, reason: String(cString: strerror(errno))) }
        } catch let error as AtomicFileError {
            throw ModelFileError(file: path, problem: .writeFailed(reason: error.reason))
        }
        return header.count + dataByteCount
    }

    private func bytes(of entry: Entry, file: String) throws -> Data {
        let data = try entry.bytes()
        guard data.count == entry.byteCount else {
            throw ModelFileError(file: file, problem: .spanDisagreesWithShape(
                tensor: entry.name, bytes: data.count, shape: entry.shape, dtype: entry.dtype.rawValue, needed: entry.byteCount))
        }
        return data
    }
}
