import Foundation

/// Where JSONSerialization found a syntax error, as a line and column: it reports only "around
/// character N" (a UTF-16 offset, or nothing), which a user cannot find in an editor.
enum JSONErrorPosition {
    /// "line 3, column 7: Invalid value" (or JSONSerialization's own words when it gives no offset).
    static func describe(_ error: Error, in data: Data) -> String {
        let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
        guard let range = detail.range(of: "character "),
              let offset = Int(detail[range.upperBound...].prefix { $0.isNumber }) else { return detail }
        let reason = detail.components(separatedBy: " around ").first ?? detail
        let text = String(decoding: data, as: UTF8.self)
        var line = 1, column = 1
        for unit in text.utf16.prefix(offset) {
            if unit == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return "line \(line), column \(column): \(reason)"
    }
}
