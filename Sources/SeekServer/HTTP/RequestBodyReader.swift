import Hummingbird

/// Reads a request body with a size limit (413) and a time limit (408), so a client that sends an endless
/// or trickling body cannot hold a connection.
enum RequestBodyReader {
    static func read(_ request: inout Request, limit: Int, timeoutSeconds: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw OpenAIError.bodyTooLarge(limit: limit)
        }
        let reading = request
        let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await reading.body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeoutSeconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw OpenAIError(status: 408, message: "The request body did not arrive within \(timeoutSeconds) seconds.",
                                  type: "invalid_request_error", code: "request_timeout")
            }
            return buffer
        }
        // Keeps the connection's own body stream underneath, so the inbound-close watch still works.
        request.body = RequestBody(buffer: buffer)
        return buffer
    }
}
