import Foundation
import SeekJSON

/// The element types a safetensors file can hold that seek understands.
public enum TensorDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", i32 = "I32", i64 = "I64", u8 = "U8", i8 = "I8"

    public var byteSize: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16: return 2
        case .i64: return 8
        case .u8, .i8: return 1
        }
    }
}

/// One tensor inside a memory-mapped safetensors file. `data` points into the mapping: nothing is copied.
public struct TensorView: @unchecked Sendable {
    public let name: String
    public let dtype: TensorDType
    public let shape: [Int]
    public let data: UnsafeRawPointer
    public let byteCount: Int
    /// The file it lives in, for error messages.
    public let file: String

    public var elementCount: Int { shape.reduce(1, *) }

    /// Copies the tensor out as float32 (for small tensors: norms, biases, test data).
    public func floats() throws -> [Float] {
        var out = [Float](repeating: 0, count: elementCount)
        if elementCount > 0 { try out.withUnsafeMutableBufferPointer { try convertToFloat32($0.baseAddress!) } }
        return out
    }

    /// Writes the tensor as float32 into `dst` (elementCount values). Throws for integer tensors.
    public func convertToFloat32(_ dst: UnsafeMutablePointer<Float>) throws {
        switch dtype {
        case .f32: dst.update(from: data.assumingMemoryBound(to: Float.self), count: elementCount)
        case .bf16: Convert.bf16ToFloat(data.assumingMemoryBound(to: UInt16.self), dst, elementCount)
        case .f16: Convert.f16ToFloat(data.assumingMemoryBound(to: UInt16.self), dst, elementCount)
        default: throw SeekError("\(file): tensor '\(name)' has dtype \(dtype.rawValue), expected a float type")
        }
    }

    /// Integer tensors (token ids in test data) as Int.
    public func integers() throws -> [Int] {
        switch dtype {
        case .i32: return UnsafeBufferPointer(start: data.assumingMemoryBound(to: Int32.self), count: elementCount).map { Int($0) }
        case .i64: return UnsafeBufferPointer(start: data.assumingMemoryBound(to: Int64.self), count: elementCount).map { Int($0) }
        default: throw SeekError("\(file): tensor '\(name)' has dtype \(dtype.rawValue), expected I32 or I64")
        }
    }
}

/// A safetensors file mapped read-only into memory.
///
/// Layout: 8-byte little-endian header length N, N bytes of JSON header
/// (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`), then the data
/// block that the offsets index. Every entry is validated before anyone can read it.
public final class SafeTensorsFile: @unchecked Sendable {
    public let path: String
    public let tensors: [String: TensorView]
    public let metadata: [String: String]
    private let base: UnsafeMutableRawPointer
    private let mappedLength: Int

    public init(path: String) throws {
        self.path = path
        let name = (path as NSString).lastPathComponent
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw SeekError("\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SeekError("\(path): cannot stat") }
        let fileSize = Int(st.st_size)
        guard fileSize >= 8 else {
            throw SeekError("\(name): file is \(fileSize) bytes, too short for a safetensors header")
        }
        guard let map = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw SeekError("\(path): mmap failed (\(String(cString: strerror(errno))))")
        }
        base = map
        mappedLength = fileSize
        do {
            (tensors, metadata) = try SafeTensorsFile.parseHeader(base: UnsafeRawPointer(map), fileSize: fileSize, name: name)
        } catch {
            munmap(map, fileSize)
            throw error
        }
    }

    deinit { munmap(base, mappedLength) }

    /// Asks the kernel to start reading the whole file in the background.
    func adviseWillNeed() { madvise(base, mappedLength, MADV_WILLNEED) }

    /// Faults every page in now (one read per page), so later passes run at memory speed.
    func touchAllPages() -> UInt8 {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self)
        var sum: UInt8 = 0
        var offset = 0
        while offset < mappedLength {
            sum &+= bytes[offset]
            offset += page
        }
        return sum
    }

    /// The largest header the safetensors format allows (its reference implementation refuses more).
    static let maxHeaderBytes = 100_000_000

    /// Validates the header of a mapped file and returns views of its tensors. Every way a header can be
    /// wrong (length, JSON, entry kinds, dtype, shape, offsets, overlaps) is a one-line error naming
    /// the file; nothing read from it sizes an allocation or an arithmetic step unchecked.
    static func parseHeader(base: UnsafeRawPointer, fileSize: Int, name: String) throws
        -> ([String: TensorView], [String: String])
    {
        guard fileSize >= 8 else {
            throw SeekError("\(name): file is \(fileSize) bytes, too short for a safetensors header")
        }
        let rawLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard rawLength > 0 else {
            throw SeekError("\(name): header length is 0: not a safetensors file")
        }
        guard rawLength <= UInt64(fileSize - 8) else {
            throw SeekError("\(name): header length \(rawLength) is larger than the file (\(fileSize) bytes): truncated or not safetensors")
        }
        guard rawLength <= UInt64(maxHeaderBytes) else {
            throw SeekError("\(name): header length \(rawLength) is over the format's limit of \(maxHeaderBytes) bytes")
        }
        let headerLength = Int(rawLength)
        let root: JSON
        do {
            root = try JSONParser.parse(UnsafeRawBufferPointer(start: base + 8, count: headerLength), maxDepth: 8)
        } catch {
            throw SeekError("\(name): header is not a JSON object: invalid JSON at \(error)")
        }
        guard case .object(let entries) = root else {
            throw SeekError("\(name): header is not a JSON object (it is \(root.typeName))")
        }
        let dataStart = 8 + headerLength
        let dataSize = fileSize - dataStart
        var tensors: [String: TensorView] = [:]
        var metadata: [String: String] = [:]
        var spans: [(begin: Int, end: Int, name: String)] = []
        for (key, value) in zip(entries.keys, entries.values) {
            if key == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw SeekError("\(name): __metadata__ must be an object of strings, got \(value.typeName)")
                }
                for (k, v) in pairs.members {
                    metadata[k] = v.stringValue ?? ((try? JSONWriter.compact.string(v)) ?? "")
                }
                continue
            }
            guard tensors[key] == nil else { throw SeekError("\(name): tensor '\(key)' appears twice in the header") }
            let field = JSONField(value, path: key)
            let dtypeName: String
            let shape: [Int]
            let offsets: [Int]
            do {
                _ = try field.object()
                dtypeName = try field["dtype"].string()
                shape = try field["shape"].array().map { dimension throws(JSONFieldError) in try dimension.int(in: 0...Int.max) }
                offsets = try field["data_offsets"].array().map { offset throws(JSONFieldError) in try offset.int(in: 0...Int.max) }
            } catch {
                throw SeekError("\(name): tensor '\(key)' has a malformed header entry: \(error)")
            }
            guard offsets.count == 2 else {
                throw SeekError("\(name): tensor '\(key)' has \(offsets.count) data_offsets, expected [begin, end]")
            }
            guard let dtype = TensorDType(rawValue: dtypeName) else {
                throw SeekError("\(name): tensor '\(key)' has unsupported dtype \(dtypeName)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= dataSize else {
                throw SeekError("\(name): tensor '\(key)' data [\(begin), \(end)) lies outside the data block (\(dataSize) bytes): file truncated?")
            }
            // Checked arithmetic: a corrupt header must give an error, not an overflow trap.
            var expected = dtype.byteSize
            for dimension in shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw SeekError("\(name): tensor '\(key)' shape \(shape) is impossibly large (corrupt header)")
                }
                expected = product
            }
            guard end - begin == expected else {
                throw SeekError("\(name): tensor '\(key)' spans \(end - begin) bytes but shape \(shape) × \(dtype.rawValue) needs \(expected)")
            }
            spans.append((begin, end, key))
            tensors[key] = TensorView(name: key, dtype: dtype, shape: shape, data: base + dataStart + begin,
                                      byteCount: expected, file: name)
        }
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (a, b) in zip(spans, spans.dropFirst()) where b.begin < a.end && a.end > a.begin && b.end > b.begin {
            throw SeekError("\(name): tensors '\(a.name)' and '\(b.name)' overlap in the data block")
        }
        return (tensors, metadata)
    }
}
