import Foundation

/// An error as the OpenAI API reports it: an HTTP status and the body
/// `{"error": {"message", "type", "param", "code"}}`. Every failure the server answers with is one.
public struct OpenAIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?
    /// Seconds for the `Retry-After` header (503 when every slot and the queue are full).
    public var retryAfter: Int?

    public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status) \(type): \(message)" }

    /// 400: the request is malformed or a value is out of range.
    public static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// 401: missing or wrong API key.
    public static let unauthorized = OpenAIError(
        status: 401, message: "Incorrect or missing API key. Send it as \"Authorization: Bearer KEY\".",
        type: "invalid_request_error", code: "invalid_api_key")

    /// 404: no such route.
    public static func unknownRoute(method: String, path: String) -> OpenAIError {
        OpenAIError(status: 404, message: "Unknown request URL: \(method) \(path).", type: "invalid_request_error",
                    code: "unknown_url")
    }

    /// 404: the request names a model this server does not serve.
    public static func unknownModel(_ name: String, served: String) -> OpenAIError {
        OpenAIError(status: 404, message: "The model `\(name)` does not exist; this server serves `\(served)`.",
                    type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    /// 413: the body is larger than the server accepts.
    public static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(status: 413, message: "The request body is larger than \(limit) bytes.",
                    type: "invalid_request_error", code: "request_too_large")
    }

    /// 503: every slot is busy and the queue is full.
    public static func overloaded(retryAfter: Int) -> OpenAIError {
        OpenAIError(status: 503, message: "The server is busy: every slot and the queue are full. Retry later.",
                    type: "server_error", code: "server_overloaded", retryAfter: retryAfter)
    }

    /// 500: the model failed.
    public static func internalError(_ message: String) -> OpenAIError {
        OpenAIError(status: 500, message: message, type: "server_error", code: "internal_error")
    }

    /// The JSON body `{"error": {...}}`; `param` and `code` are written as null when absent, as OpenAI does.
    public var body: ErrorBody { ErrorBody(error: .init(message: message, type: type, param: param, code: code)) }

    public struct ErrorBody: Codable, Equatable, Sendable {
        public struct Detail: Codable, Equatable, Sendable {
            public var message: String
            public var type: String
            public var param: String?
            public var code: String?

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }
        }
        public var error: Detail
    }
}
