import SeekEngine

/// Whether the weights every token reads are copied into memory at load or read from the mapped files,
/// when the user did not say (`--mmap` / `--no-mmap`).
///
/// Copying makes generation faster: file-backed pages come from wherever the page cache put them, and two
/// threads streamed a mapped q4 lm_head at 15 GB/s where a copy of it read 21-22 GB/s (the README's
/// Xeon); a q4 model generated up to 1.5x faster. It costs a slower start (a second or so per GB) and
/// memory no longer shared with the page cache. So seek copies when the weights, at the precision
/// loaded, fit in MemAvailable (which already counts the page cache as reclaimable) with room to spare,
/// and maps them otherwise, where a copy could push the system into swapping.
public enum WeightPlacement {
    /// The share of the available memory the copied weights may take.
    public static let headroom = 0.75

    /// Copy `folder`'s weights (quantized to `quantization`, when it is not quantized already)? With
    /// `availableBytes` nil, the machine's MemAvailable (false where that is unknown); never more than
    /// `memoryLimit`, the physical memory the load's checks assume (LoadSettings.memoryLimit).
    public static func copyFits(folder: String, quantization: QuantFormat?, availableBytes: Int?,
                                memoryLimit: Int? = nil) -> Bool {
        guard var available = availableBytes ?? MachineMemory.memAvailable(),
              let fit = MemoryFit.assess(folder: folder, quantization: quantization, availableBytes: available)
        else { return false }
        if let memoryLimit { available = min(available, memoryLimit) }
        return Double(fit.weightBytes) <= Double(available) * headroom
    }
}
