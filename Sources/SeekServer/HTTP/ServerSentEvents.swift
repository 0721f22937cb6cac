import Hummingbird

/// Server-Sent Events as OpenAI streams them: `data: JSON` and a blank line per event, `data: [DONE]`
/// at the end.
enum ServerSentEvents {
    static let headers: HTTPFields = [
        .contentType: "text/event-stream",
        .cacheControl: "no-cache",
    ]

    static func event<T: Encodable>(_ value: T) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        var json = JSONCoding.encode(value)
        buffer.writeBuffer(&json)
        buffer.writeString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}
