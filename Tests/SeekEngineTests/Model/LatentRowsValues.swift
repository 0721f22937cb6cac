@testable import SeekEngine

extension LatentRows {
    /// The first `rows` rows as float32, row after row.
    func values(rows: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * width)
        out.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<rows { read(row: r, columns: 0..<width, into: buffer.baseAddress! + r * width) }
        }
        return out
    }
}
