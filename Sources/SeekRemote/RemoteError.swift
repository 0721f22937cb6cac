/// Why talking to an OpenAI-compatible server failed, each with a one-line description for the CLI.
public enum RemoteError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case connectionRefused(url: String)
    case cannotConnect(url: String, reason: String)
    case timedOut(url: String)
    /// 401 or 403: a missing or wrong key.
    case unauthorized(status: Int, message: String)
    /// 404: wrong URL or unknown model.
    case notFound(message: String)
    /// 429.
    case rateLimited(message: String, retryAfter: String?)
    /// 5xx.
    case serverError(status: Int, message: String)
    /// Any other 4xx.
    case rejected(status: Int, message: String)
    /// The server reported an error inside a stream that had started.
    case streamError(message: String)
    /// The stream had bytes that are not the API's chunks.
    case malformedStream(String)
    /// The stream ended before `data: [DONE]` or a finish reason.
    case truncatedStream
    case cancelled

    public var description: String {
        switch self {
        case .invalidURL(let url): return "\(url): not an http(s) URL"
        case .connectionRefused(let url): return "\(url): connection refused (is the server running?)"
        case .cannotConnect(let url, let reason): return "\(url): cannot connect: \(reason)"
        case .timedOut(let url): return "\(url): timed out"
        case .unauthorized(let status, let message): return "the server refused the API key (\(status)): \(message)"
        case .notFound(let message): return "not found (404): \(message)"
        case .rateLimited(let message, let retryAfter):
            return "rate limited (429)" + (retryAfter.map { ", retry after \($0) s" } ?? "") + ": \(message)"
        case .serverError(let status, let message): return "server error (\(status)): \(message)"
        case .rejected(let status, let message): return "request rejected (\(status)): \(message)"
        case .streamError(let message): return "the server stopped the stream: \(message)"
        case .malformedStream(let detail): return "malformed stream: \(detail)"
        case .truncatedStream: return "the stream ended before the reply was finished"
        case .cancelled: return "cancelled"
        }
    }

    /// The error for an HTTP status that is not 2xx, with the server's own message when its body has one.
    static func status(_ status: Int, body: [UInt8], retryAfter: String?) -> RemoteError {
        let message = ErrorBodyReader.message(in: body) ?? "HTTP \(status)"
        switch status {
        case 401, 403: return .unauthorized(status: status, message: message)
        case 404: return .notFound(message: message)
        case 429: return .rateLimited(message: message, retryAfter: retryAfter)
        case 500...: return .serverError(status: status, message: message)
        default: return .rejected(status: status, message: message)
        }
    }
}
