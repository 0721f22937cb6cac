import Foundation

/// Finds the human message in an error body, in the shapes servers use: OpenAI's and llama-server's
/// `{"error": {"message": …}}`, ollama's `{"error": "…"}`, vLLM's older `{"object": "error", "message": …}`,
/// FastAPI's `{"detail": …}`, or plain text.
enum ErrorBodyReader {
    static func message(in body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            return message(in: object)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text.replacingOccurrences(of: "\n", with: " ")
    }

    static func message(in object: [String: Any]) -> String? {
        if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
        if let error = object["error"] as? String { return error }
        if object["object"] as? String == "error", let message = object["message"] as? String { return message }
        if let detail = object["detail"] as? String { return detail }
        if let message = object["message"] as? String { return message }
        return nil
    }
}
