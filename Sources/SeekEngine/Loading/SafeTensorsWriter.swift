import Foundation

/// Writes a safetensors file: header length, JSON header with sorted names, then the tensor bytes.
public struct SafeTensorsWriter {
    public struct Entry {
        public var name: String
        public var dtype: TensorDType
        public var shape: [Int]
        public var bytes: Data

        public init(name: String, dtype: TensorDType, shape: [Int], bytes: Data) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    public var entries: [Entry] = []
    public var metadata: [String: String] = ["format": "pt"]

    public init() {}

    public mutating func add(_ name: String, dtype: TensorDType, shape: [Int], bytes: Data) {
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    public mutating func add(_ name: String, floats: [Float], shape: [Int]) {
        add(name, dtype: .f32, shape: shape, bytes: floats.withUnsafeBytes { Data($0) })
    }

    /// The file's bytes. The header is padded with spaces to a multiple of 8, as the reference writer does.
    public func serialized() throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for e in entries.sorted(by: { $0.name < $1.name }) {
            header[e.name] = ["dtype": e.dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.bytes.count]]
            offset += e.bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for e in entries.sorted(by: { $0.name < $1.name }) { out.append(e.bytes) }
        return out
    }

    public func write(to path: String) throws {
        let data = try serialized()
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw SeekError("\(path): cannot write")
        }
    }
}
