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
        default: throw ModelFileError(file: file, problem: .wrongDType(tensor: name, dtype: dtype.rawValue, expected: "a float type"))
        }
    }

    /// Integer tensors (token ids in test data) as Int.
    public func integers() throws -> [Int] {
        switch dtype {
        case .i32: return UnsafeBufferPointer(start: data.assumingMemoryBound(to: Int32.self), count: elementCount).map { Int($0) }
        case .i64: return UnsafeBufferPointer(start: data.assumingMemoryBound(to: Int64.self), count: elementCount).map { Int($0) }
        default: throw ModelFileError(file: file, problem: .wrongDType(tensor: name, dtype: dtype.rawValue, expected: "I32 or I64"))
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
        // Only a regular file (a FIFO would block open, a directory fails mmap with a puzzling error).
        let (fd, fileSize) = try RegularFile.open(path)
        defer { close(fd) }
        guard fileSize >= 8 else {
            throw ModelFileError(file: name, problem: .tooShort(bytes: fileSize))
        }
        guard let map = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw ModelFileError(file: path, problem: .cannotMap(reason: String(cString: strerror(errno))))
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
    /// wrong (length, JSON, entry kinds, dtype, shape, offsets, overlaps) is a typed error naming the
    /// file; nothing read from it sizes an allocation or an arithmetic step unchecked.
    static func parseHeader(base: UnsafeRawPointer, fileSize: Int, name: String) throws
        -> ([String: TensorView], [String: String])
    {
        guard fileSize >= 8 else { throw ModelFileError(file: name, problem: .tooShort(bytes: fileSize)) }
        let rawLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard rawLength > 0 else { throw ModelFileError(file: name, problem: .headerLengthZero) }
        guard rawLength <= UInt64(fileSize - 8) else {
            throw ModelFileError(file: name, problem: .headerLengthBeyondFile(headerLength: rawLength, fileSize: fileSize))
        }
        guard rawLength <= UInt64(maxHeaderBytes) else {
            throw ModelFileError(file: name, problem: .headerTooLarge(headerLength: rawLength, limit: maxHeaderBytes))
        }
        let headerLength = Int(rawLength)
        let root: JSON
        do {
            root = try JSONParser.parse(UnsafeRawBufferPointer(start: base + 8, count: headerLength), maxDepth: 8)
        } catch {
            throw ModelFileError(file: name, problem: .headerNotJSON(detail: "\(error)"))
        }
        guard case .object(let entries) = root else { throw ModelFileError(file: name, problem: .headerNotJSONObject) }
        let dataStart = 8 + headerLength
        let dataSize = fileSize - dataStart
        var tensors: [String: TensorView] = [:]
        var metadata: [String: String] = [:]
        var spans: [(begin: Int, end: Int, name: String)] = []
        for (key, value) in zip(entries.keys, entries.values) {
            if key == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw ModelFileError(file: name, problem: .metadataNotObject)
                }
                for (k, v) in pairs.members {
                    metadata[k] = v.stringValue ?? ((try? JSONWriter.compact.string(v)) ?? "")
                }
                continue
            }
            guard tensors[key] == nil else { throw ModelFileError(file: name, problem: .duplicateInHeader(tensor: key)) }
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
                throw ModelFileError(file: name, problem: .malformedField(tensor: key, detail: "\(error)"))
            }
            guard offsets.count == 2 else {
                throw ModelFileError(file: name, problem: .offsetCount(tensor: key, count: offsets.count))
            }
            guard let dtype = TensorDType(rawValue: dtypeName) else {
                throw ModelFileError(file: name, problem: .unsupportedDType(tensor: key, dtype: dtypeName))
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw ModelFileError(file: name, problem: .dataOutsideBlock(tensor: key, begin: begin, end: end, blockSize: dataSize))
            }
            // Checked arithmetic: a corrupt header must give an error, not an overflow trap.
            var expected = dtype.byteSize
            for dimension in shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw ModelFileError(file: name, problem: .impossiblyLarge(tensor: key, shape: shape))
                }
                expected = product
            }
            guard end - begin == expected else {
                throw ModelFileError(file: name, problem: .spanDisagreesWithShape(tensor: key, bytes: end - begin, shape: shape,
                                                                                  dtype: dtype.rawValue, needed: expected))
            }
            spans.append((begin, end, key))
            tensors[key] = TensorView(name: key, dtype: dtype, shape: shape, data: base + dataStart + begin,
                                      byteCount: expected, file: name)
        }
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (a, b) in zip(spans, spans.dropFirst()) where b.begin < a.end && a.end > a.begin && b.end > b.begin {
            throw ModelFileError(file: name, problem: .overlap(tensor: a.name, other: b.name))
        }
        return (tensors, metadata)
    }
}
