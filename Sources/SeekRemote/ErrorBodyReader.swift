import Foundation
import SeekJSON

/// Finds the human message in an error body, in the shapes servers use: OpenAI's and llama-server's
/// `{"error": {"message": …}}`, ollama's `{"error": "…"}`, vLLM's older `{"object": "error", "message": …}`,
/// FastAPI's `{"detail": …}`, or plain text.
enum ErrorBodyReader {
    static func message(in body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if case .object(let object)? = try? JSONParser.parse(body) {
            return message(in: object)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text.replacingOccurrences(of: "\n", with: " ")
    }

    static func message(in object: JSONObject) -> String? {
        if let message = object["error"]?["message"]?.stringValue { return message }
        if let error = object["error"]?.stringValue { return error }
        if object["object"] == .string("error"), let message = object["message"]?.stringValue { return message }
        if let detail = object["detail"]?.stringValue { return detail }
        if let message = object["message"]?.stringValue { return message }
        return nil
    }
}
