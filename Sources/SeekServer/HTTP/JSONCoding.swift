import Hummingbird
import SeekJSON

/// JSON in and out of HTTP bodies, with decoding failures turned into 400s that name the field.
enum JSONCoding {
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONValueDecoder().decode(type, from: Array(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw OpenAIError.invalid(describe(error), param: param(of: error))
        } catch {
            throw OpenAIError.invalid("the body is not valid JSON: \(error)")  // "line 1, column 9: …"
        }
    }

    /// One line, members in the order the type encodes them, UTF-8 as is.
    static func encode<T: Encodable>(_ value: T) -> ByteBuffer {
        // The types here encode nothing that can fail (no floats that are not finite reach them).
        let text = (try? JSONWriter.compact.string(try JSONValueEncoder().encode(value))) ?? "{}"
        return ByteBuffer(string: text)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: encode(value)))
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    private static func param(of error: DecodingError) -> String? {
        switch error {
        case .keyNotFound(let key, let context): return path(context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let text = path(context.codingPath)
            return text.isEmpty ? nil : text
        @unknown default: return nil
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing required field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type)), got null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "the body could not be read"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default: return "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
