import Foundation

/// Tells JSONSerialization's numbers and booleans apart: both come back as NSNumber, and `true` casts
/// to 1 (or `as? Int` to 1), which would turn `"temperature": true` into a temperature of 1.
public enum JSONScalar {
    private static let booleanType = ObjectIdentifier(type(of: NSNumber(value: true)))

    /// Whether a parsed JSON value is `true` or `false`.
    public static func isBoolean(_ value: Any) -> Bool {
        ObjectIdentifier(type(of: value as AnyObject)) == booleanType
    }

    /// A parsed JSON number (not a boolean), or nil.
    public static func number(_ value: Any) -> NSNumber? {
        guard !isBoolean(value), let number = value as? NSNumber else { return nil }
        return number
    }

    /// A parsed JSON boolean, or nil (a number is not one).
    public static func boolean(_ value: Any) -> Bool? {
        guard isBoolean(value) else { return nil }
        return value as? Bool
    }

    /// A parsed JSON value as JSON would show it, for messages: `true`, `"12"`, `[1]`, `2.5`.
    public static func text(_ value: Any) -> String {
        if let boolean = boolean(value) { return boolean ? "true" : "false" }
        if let string = value as? String { return "\"\(string)\"" }
        if value is NSNull { return "null" }
        if JSONSerialization.isValidJSONObject(value),
           let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}
