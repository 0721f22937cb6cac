import Foundation
import SeekKernels

/// Block-quantized weight formats (llama.cpp's Q8_0 and Q4_0 layouts; see SeekKernels.h).
public enum QuantFormat: String, Sendable, CaseIterable {
    case q8, q4

    func rowBytes(_ cols: Int) -> Int {
        switch self {
        case .q8: return sk_q8_row_bytes(cols)
        case .q4: return sk_q4_row_bytes(cols)
        }
    }

    /// Quantizes `rows` rows of `cols` values in `source`'s dtype into `dst`.
    func quantizeRows(of source: WeightMatrix, _ begin: Int, _ end: Int, into dst: UnsafeMutableRawPointer) {
        let rows = end - begin, cols = source.cols
        let out = dst + begin * rowBytes(cols)
        switch (self, source.storage) {
        case (.q8, .bf16(let w)): sk_quantize_q8_rows_bf16(w + begin * cols, out, rows, cols)
        case (.q4, .bf16(let w)): sk_quantize_q4_rows_bf16(w + begin * cols, out, rows, cols)
        default:
            let f = UnsafeMutablePointer<Float>.allocate(capacity: rows * cols)
            defer { f.deallocate() }
            source.convertRows(begin, end, into: f)
            if self == .q8 { sk_quantize_q8_rows(f, out, rows, cols) } else { sk_quantize_q4_rows(f, out, rows, cols) }
        }
    }

    /// Safetensors metadata key marking a file whose U8 tensors are quantized weights.
    static let metadataKey = "seek_quant"
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
    func quantized(_ format: QuantFormat, arena: WeightArena) -> WeightMatrix {
        let dst = arena.allocate(rows * format.rowBytes(cols))
        Parallel.forRanges(rows, minChunk: 32) { format.quantizeRows(of: self, $0, $1, into: dst) }
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
