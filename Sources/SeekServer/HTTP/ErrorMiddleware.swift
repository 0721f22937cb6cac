import Hummingbird

/// Turns every error a route throws (ours, Hummingbird's 404 and 413, anything else) into OpenAI's
/// error body with its status, and counts each answer for /metrics.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let endpoint = Self.endpoint(request.uri.path)
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let openAI = Self.openAIError(error, request: request, maxBodyBytes: maxBodyBytes)
            metrics.request(endpoint: endpoint, status: openAI.status)
            return Self.response(openAI)
        }
        metrics.request(endpoint: endpoint, status: Int(response.status.code))
        return response
    }

    static func response(_ error: OpenAIError) -> Response {
        var response = JSONCoding.response(error.body, status: HTTPResponse.Status(code: error.status))
        if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
        if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static func openAIError(_ error: any Error, request: Request, maxBodyBytes: Int) -> OpenAIError {
        if let error = error as? OpenAIError { return error }
        // Hummingbird's own errors (404 for no route, 413 from a body over the limit, ...).
        if let error = error as? any HTTPResponseError {
            switch error.status.code {
            case 404, 405:
                return .unknownRoute(method: request.method.rawValue, path: request.uri.path)
            case 413:
                return .bodyTooLarge(limit: maxBodyBytes)
            default:
                let code = error.status.code
                return OpenAIError(status: code, message: (error as? HTTPError)?.body ?? error.status.reasonPhrase,
                                   type: code >= 500 ? "server_error" : "invalid_request_error")
            }
        }
        return .internalError("\(error)")
    }

    /// The metrics label of a path: the route, or "other" (so unknown paths cannot grow the label set).
    static func endpoint(_ path: String) -> String {
        let known = ["/v1/chat/completions", "/v1/completions", "/v1/models", "/health", "/metrics"]
        if known.contains(path) { return path }
        if path.hasPrefix("/v1/models/") { return "/v1/models/{id}" }
        return "other"
    }
}

/// Requires `Authorization: Bearer KEY` on every route but /health when the server has a key.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" { return try await next(request, context) }
        guard let header = request.headers[.authorization], Self.matches(header, key: key) else {
            throw OpenAIError.unauthorized
        }
        return try await next(request, context)
    }

    /// Compares in time independent of where the strings differ, so the key cannot be guessed byte by byte.
    static func matches(_ header: String, key: String) -> Bool {
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else { return false }
        let given = Array(header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).utf8)
        let expected = Array(key.utf8)
        var difference = given.count ^ expected.count
        for index in 0..<max(given.count, expected.count) {
            let a = index < given.count ? given[index] : 0
            let b = index < expected.count ? expected[index] : 0
            difference |= Int(a ^ b)
        }
        return difference == 0
    }
}
