import Foundation

/// Expands `~`, `~/…`, `$VAR` and `${VAR}` in a path the way a shell would, and makes relative paths
/// absolute against a base folder.
public enum PathExpansion {
    /// A `$VAR` in a path that the environment does not define.
    public struct UnsetVariable: Error, CustomStringConvertible, Equatable, Sendable {
        public let name: String
        public var description: String { "$\(name) is not set" }
    }

    /// The path with variables and `~` expanded, absolute against `base` (else the current folder). Throws `UnsetVariable`.
    public static func expand(_ path: String, relativeTo base: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var result = try expandVariables(path, environment: environment)
        if result == "~" || result.hasPrefix("~/") {
            let home = environment["HOME"] ?? NSHomeDirectory()
            result = home + result.dropFirst()
        }
        if !result.hasPrefix("/") {
            let folder = base ?? FileManager.default.currentDirectoryPath
            result = (folder as NSString).appendingPathComponent(result)
        }
        return (result as NSString).standardizingPath
    }

    private static func expandVariables(_ text: String, environment: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            let name: Substring
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                name = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
            } else {
                name = rest.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
                rest = rest[name.endIndex...]
            }
            if name.isEmpty { output += "$"; continue }
            guard let value = environment[String(name)] else { throw UnsetVariable(name: String(name)) }
            output += value
        }
        return output + rest
    }
}
