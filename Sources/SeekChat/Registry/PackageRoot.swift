import Foundation

/// The Swift package a source file belongs to: the nearest folder above it that holds Package.swift.
/// The bundled model is found through it, and tests find the repository and `../shared` with it.
public enum PackageRoot {
    /// The package root above `file` (pass `#filePath`), or nil when the source tree is gone.
    public static func containing(_ file: String) -> String? {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder.path }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}
