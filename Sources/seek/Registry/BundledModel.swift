import Foundation

/// Finds seek-mini, the small model that ships in the repository's Models/ folder and runs when no
/// `-m` is given. Looks at $SEEK_DEFAULT_MODEL, then next to the executable (an installed copy), then
/// in the source tree this binary was built from.
enum BundledModel {
    static let folderName = "seek-mini"

    static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var paths: [String] = []
        if let explicit = environment["SEEK_DEFAULT_MODEL"], !explicit.isEmpty {
            paths.append((try? PathExpansion.expand(explicit, environment: environment)) ?? explicit)
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path {
            paths.append(executable + "/Models/" + folderName)
            paths.append(executable + "/../share/seek/Models/" + folderName)
        }
        if let root = sourceRoot() { paths.append(root + "/Models/" + folderName) }
        return paths.map { ($0 as NSString).standardizingPath }
    }

    /// The first candidate that exists, or nil.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        candidates(environment: environment).first { FileManager.default.fileExists(atPath: $0 + "/config.json") }
    }

    /// The package root this file was compiled from (the folder holding Package.swift), if it still exists.
    private static func sourceRoot() -> String? {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder.path }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}
