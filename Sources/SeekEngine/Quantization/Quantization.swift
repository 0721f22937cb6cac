import Foundation
import SeekKernels

/// Block-quantized weight formats: llama.cpp's Q8_0 and Q4_0 blocks, rows interleaved in groups of 8
/// (see SeekKernels.h).
public enum QuantFormat: String, Sendable, CaseIterable {
    case q8, q4

    /// Rows per interleaved group.
    static let groupRows = Int(SK_QROWS)

    /// Bytes of a quantized `rows x cols` matrix (rows padded to a multiple of 8).
    func matrixBytes(rows: Int, cols: Int) -> Int {
        switch self {
        case .q8: return sk_q8_matrix_bytes(rows, cols)
        case .q4: return sk_q4_matrix_bytes(rows, cols)
        }
    }

    /// How `seek quantize` stores a matrix: a U8 tensor of one row per group of 8 matrix rows.
    func storedShape(rows: Int, cols: Int) -> [Int] {
        let groups = (rows + Self.groupRows - 1) / Self.groupRows
        return [groups, groups == 0 ? 0 : matrixBytes(rows: rows, cols: cols) / groups]
    }

    /// Quantizes rows [begin, end) of `source` into their places in `dst` (the whole quantized matrix).
    func quantizeRows(of source: WeightMatrix, _ begin: Int, _ end: Int, into dst: UnsafeMutableRawPointer) {
        let rows = source.rows, cols = source.cols
        switch (self, source.storage) {
        case (.q8, .bf16(let w)): sk_quantize_q8_rows_bf16(w + begin * cols, dst, rows, cols, begin, end)
        case (.q4, .bf16(let w)): sk_quantize_q4_rows_bf16(w + begin * cols, dst, rows, cols, begin, end)
        default:
            let f = UnsafeMutablePointer<Float>.allocate(capacity: (end - begin) * cols)
            defer { f.deallocate() }
            source.convertRows(begin, end, into: f)
            if self == .q8 { sk_quantize_q8_rows(f, dst, rows, cols, begin, end) } else { sk_quantize_q4_rows(f, dst, rows, cols, begin, end) }
        }
    }

    /// Safetensors metadata key marking a file whose U8 tensors are quantized weights.
    static let metadataKey = "seek_quant"
    /// Metadata key and value naming the byte layout of those tensors, so a file from a seek with a
    /// different layout is refused instead of computing garbage.
    static let layoutKey = "seek_quant_layout"
    public static let layout = "rows8"
}

/// Memory owned by the model: weights quantized or copied at load time. Large buffers are anonymous
/// mappings aligned to 2 MiB and advised as huge pages (where the kernel's transparent huge pages are
/// enabled or "madvise", as by default): a matrix read once per token then costs one TLB entry per 2 MiB
/// instead of 512. Their pages are resident and counted as the process's own, like any weights read.
final class WeightArena: @unchecked Sendable {
    private var buffers: [UnsafeMutableRawPointer] = []
    private var mappings: [(base: UnsafeMutableRawPointer, length: Int)] = []
    private(set) var byteCount = 0

    static let hugePage = 2 << 20

    func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        byteCount += bytes
        if bytes >= WeightArena.hugePage, let p = hugePageBuffer(bytes) { return p }
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        buffers.append(p)
        return p
    }

    /// bytes rounded up to whole huge pages, at a 2 MiB boundary (the mapping is one huge page longer
    /// so that a boundary falls inside it); nil when the system refuses the mapping.
    private func hugePageBuffer(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let huge = WeightArena.hugePage
        let rounded = (bytes + huge - 1) / huge * huge, length = rounded + huge
        guard let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else { return nil }
        mappings.append((base, length))
        let aligned = UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: base) + huge - 1) / huge * huge)!
        madvise(aligned, rounded, MADV_HUGEPAGE)
        return aligned
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        mappings.forEach { munmap($0.base, $0.length) }
    }
}

extension WeightMatrix {
    /// This matrix copied, as stored, into memory from `arena` (huge pages), in parallel chunks.
    func copied(into arena: WeightArena, pool: WorkerPool) -> WeightMatrix {
        let bytes = byteCount
        let dst = arena.allocate(bytes)
        let source = UnsafeRawPointer(storageAddress)
        let chunk = 1 << 20
        pool.forRanges((bytes + chunk - 1) / chunk, minChunk: 4) { first, end in
            let begin = first * chunk
            (dst + begin).copyMemory(from: source + begin, byteCount: min(bytes, end * chunk) - begin)
        }
        let storage: Storage
        switch self.storage {
        case .f32: storage = .f32(UnsafePointer(dst.assumingMemoryBound(to: Float.self)))
        case .bf16: storage = .bf16(UnsafePointer(dst.assumingMemoryBound(to: UInt16.self)))
        case .f16: storage = .f16(UnsafePointer(dst.assumingMemoryBound(to: UInt16.self)))
        case .q8: storage = .q8(UnsafeRawPointer(dst))
        case .q4: storage = .q4(UnsafeRawPointer(dst))
        }
        var copy = WeightMatrix(rows: rows, cols: cols, storage: storage)
        copy.int8Tokens = int8Tokens
        return copy
    }

    /// The first byte of the weights, whatever their dtype.
    var storageAddress: UnsafeRawPointer {
        switch storage {
        case .f32(let p): return UnsafeRawPointer(p)
        case .bf16(let p), .f16(let p): return UnsafeRawPointer(p)
        case .q8(let p), .q4(let p): return p
        }
    }

    /// This matrix quantized into memory from `arena`, rows split across the worker threads.
    func quantized(_ format: QuantFormat, arena: WeightArena, pool: WorkerPool) -> WeightMatrix {
        let dst = arena.allocate(format.matrixBytes(rows: rows, cols: cols))
        let groups = (rows + QuantFormat.groupRows - 1) / QuantFormat.groupRows
        pool.forRanges(groups, minChunk: 4) { first, end in
            format.quantizeRows(of: self, first * QuantFormat.groupRows, min(rows, end * QuantFormat.groupRows), into: dst)
        }
        let storage: Storage = format == .q8 ? .q8(UnsafeRawPointer(dst)) : .q4(UnsafeRawPointer(dst))
        return WeightMatrix(rows: rows, cols: cols, storage: storage)
    }
}

extension TensorView {
    /// Drops this tensor's pages from the process's resident memory (they stay in the file; a later read
    /// maps them again). Used after quantizing so the bf16 source does not count twice.
    func releaseResidentPages() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: data) + page - 1) / page * page
        let end = (Int(bitPattern: data) + byteCount) / page * page
        if end > start { madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED) }
    }
}
