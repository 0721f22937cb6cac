import Foundation
import SeekEngine

/// Whether a model's weights fit in the memory this machine can give them, and at which precision.
/// Weights are memory-mapped: when they do not fit, every token reads them from disk again and
/// generation crawls, so seek says so before that happens.
public struct MemoryFit: Equatable, Sendable {
    /// Bytes of weights the model would keep in memory: the files as stored, or quantized to `quantization`.
    public var weightBytes: Int
    public var quantization: QuantFormat?
    /// What the machine can keep in memory for them: MemAvailable plus the page cache the stored weight
    /// files already occupy (the injected figure, when one is given).
    public var availableBytes: Int
    /// The weights quantized to q8 and q4 (nil for a folder already quantized).
    public var q8Bytes: Int?
    public var q4Bytes: Int?

    public var fits: Bool { weightBytes <= availableBytes }

    /// The most precise choice that fits: the stored dtype, else q8, else q4 (q4 also when nothing fits).
    public var bestFit: QuantFormat? {
        if let stored = storedBytes, stored <= availableBytes { return nil }
        if let q8Bytes, q8Bytes <= availableBytes { return .q8 }
        return q4Bytes == nil ? nil : .q4
    }

    private var storedBytes: Int?

    /// The fit of `folder`'s weights at `quantization` (nil: as stored). `availableBytes` nil reads the
    /// machine (`MachineMemory`); nil when the folder's weights cannot be read or the machine says nothing.
    public static func assess(folder: String, quantization: QuantFormat?, availableBytes: Int? = nil) -> MemoryFit? {
        let stored = ModelSize.weightBytes(folder: folder)
        guard stored > 0 else { return nil }
        let alreadyQuantized = ((try? TensorStore(folder: folder).quantizationTag) ?? nil) != nil
        let q8 = alreadyQuantized ? nil : try? ModelQuantizer.quantizedBytes(folder: folder, format: .q8)
        let q4 = alreadyQuantized ? nil : try? ModelQuantizer.quantizedBytes(folder: folder, format: .q4)
        guard let available = availableBytes ?? MachineMemory.available(forWeightsOf: folder) else { return nil }
        let chosen = alreadyQuantized ? nil : quantization
        let weights = chosen.map { $0 == .q8 ? (q8 ?? stored) : (q4 ?? stored) } ?? stored
        var fit = MemoryFit(weightBytes: weights, quantization: chosen, availableBytes: available, q8Bytes: q8, q4Bytes: q4)
        fit.storedBytes = stored
        return fit
    }
}

/// What this machine can keep in memory, from /proc/meminfo and the page cache (Linux).
public enum MachineMemory {
    /// MemAvailable plus the bytes of `folder`'s weight files already in the page cache; nil where
    /// /proc/meminfo is not there.
    public static func available(forWeightsOf folder: String) -> Int? {
        guard let free = memAvailable() else { return nil }
        let modelFolder = ModelFolder(path: folder)
        return free + modelFolder.weightFileNames.reduce(0) { $0 + residentBytes(modelFolder.file($1)) }
    }

    /// MemAvailable from /proc/meminfo, in bytes.
    public static func memAvailable() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }

    /// Bytes of the file that are in the page cache now (mincore over a read-only mapping).
    public static func residentBytes(_ path: String) -> Int {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return 0 }
        let length = Int(info.st_size)
        guard let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED else { return 0 }
        defer { munmap(mapping, length) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var pages = [UInt8](repeating: 0, count: (length + page - 1) / page)
        guard mincore(mapping, length, &pages) == 0 else { return 0 }
        return min(length, pages.reduce(0) { $0 + Int($1 & 1) } * page)
    }
}
