import Foundation
import SeekEngine

/// The one size a model is shown with: the sum of its weight files (the ones `ModelFolder` names),
/// symbolic links followed, as the Hugging Face cache links its snapshots to blobs.
public enum ModelSize {
    /// Bytes of the weight files of the model folder at `folder` (0 for files that cannot be read).
    public static func weightBytes(folder: String) -> Int {
        let modelFolder = ModelFolder(path: folder)
        return modelFolder.weightFileNames.reduce(0) { $0 + (FileStatus(path: modelFolder.file($1))?.size ?? 0) }
    }

    /// "31.4 GB", "26.5 MB", "512 KB" (decimal units, as disk sizes are shown).
    public static func text(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.0f KB", value / 1e3)
    }
}

/// What `stat(2)` says about a file, links followed.
struct FileStatus: Equatable {
    var size: Int
    /// Modification time in nanoseconds since 1970.
    var modified: Int64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
