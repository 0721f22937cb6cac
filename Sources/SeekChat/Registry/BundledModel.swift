import Foundation

/// Finds seek-mini, the small model that ships in the repository's Models/ folder and runs when no
/// model is named. Looks at $SEEK_DEFAULT_MODEL, then next to the executable (an installed copy), then
/// in the source tree this library was built from.
public enum BundledModel {
    public static let folderName = "seek-mini"

    /// Where the bundled model may be, in the order they are tried.
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var paths: [String] = []
        if let explicit = environment["SEEK_DEFAULT_MODEL"], !explicit.isEmpty {
            paths.append((try? PathExpansion.expand(explicit, environment: environment)) ?? explicit)
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path {
            paths.append(executable + "/Models/" + folderName)
            paths.append(executable + "/../share/seek/Models/" + folderName)
        }
        if let root = PackageRoot.containing(#filePath) { paths.append(root + "/Models/" + folderName) }
        return paths.map { ($0 as NSString).standardizingPath }
    }

    /// The first candidate that exists, or nil.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        candidates(environment: environment).first { FileManager.default.fileExists(atPath: $0 + "/config.json") }
    }
}
