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

/// Memory owned by the model: weights quantized at load time.
final class WeightArena: @unchecked Sendable {
    private var buffers: [UnsafeMutableRawPointer] = []
    private(set) var byteCount = 0

    func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        buffers.append(p)
        byteCount += bytes
        return p
    }

    deinit { buffers.forEach { $0.deallocate() } }
}

extension WeightMatrix {
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
