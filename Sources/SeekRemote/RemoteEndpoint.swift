import Foundation

/// The address of an OpenAI-compatible API and its key.
public struct RemoteEndpoint: Equatable, Sendable {
    /// The API root the routes hang off, ending in "/v1" unless the URL named another root.
    public let baseURL: String
    public let apiKey: String?

    /// `url` may be "http://host:port", "http://host:port/v1" or a full root such as
    /// "https://api.example.com/openai/v1"; a bare host root gets "/v1".
    public init(url: String, apiKey: String?) throws {
        var text = url.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix("/") { text.removeLast() }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw RemoteError.invalidURL(url)
        }
        if components.path.isEmpty { text += "/v1" }
        baseURL = text
        self.apiKey = apiKey
    }

    /// The key from `--api-key`, else `$SEEK_API_KEY`, else `$OPENAI_API_KEY` (or the variable a
    /// registry entry names); empty values are skipped.
    public static func apiKey(flag: String?, environmentVariable: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let names = [environmentVariable, "SEEK_API_KEY", "OPENAI_API_KEY"].compactMap { $0 }
        for candidate in [flag] + names.map({ environment[$0] }) {
            if let key = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty { return key }
        }
        return nil
    }

    func url(_ route: String) -> String { baseURL + route }
}
