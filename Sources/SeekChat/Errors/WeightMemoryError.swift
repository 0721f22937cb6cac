import SeekEngine

/// Weights that would not fit in the machine's memory where seek must hold them itself (not mapped
/// from their files): refused before anything is allocated, with the size needed.
public enum WeightMemoryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Quantizing `folder` to `format` while loading would allocate `bytes`, more than `physicalBytes`.
    case quantizedCopyExceedsMemory(folder: String, format: QuantFormat, bytes: Int?, physicalBytes: Int)
    /// Copying `folder`'s weights into memory (`--no-mmap`) would allocate `bytes`, more than `physicalBytes`.
    case copyExceedsMemory(folder: String, bytes: Int, physicalBytes: Int)

    public var description: String {
        switch self {
        case .quantizedCopyExceedsMemory(let folder, let format, let bytes, let physical):
            let needed = bytes.map(Self.gibibytesText) ?? "more than can be counted"
            return "\(folder): quantizing to \(format.rawValue) while loading needs \(needed) of memory for the "
                + "quantized weights, more than this machine's \(Self.gibibytesText(physical))"
        case .copyExceedsMemory(let folder, let bytes, let physical):
            return "\(folder): copying the weights into memory needs \(Self.gibibytesText(bytes)), more than this "
                + "machine's \(Self.gibibytesText(physical))"
        }
    }

    /// "12 GiB", "1.5 GiB", "20 MiB".
    public static func gibibytesText(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        if gib >= 10 { return "\(Int(gib.rounded())) GiB" }
        if gib >= 0.1 { return "\((gib * 10).rounded() / 10) GiB" }
        return "\(max(1, Int((Double(bytes) / Double(1 << 20)).rounded()))) MiB"
    }
}
