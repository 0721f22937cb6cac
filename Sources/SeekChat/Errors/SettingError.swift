/// A sampling setting (`/set`, the registry's "sampling", generation_config.json) with a bad value.
/// `setting` is the name the registry and `/set` use (top_k); a front end can name its own flag.
public struct SettingError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case notANumber(text: String)
        case unknown(known: [String])
        /// `rule` says what the value must be ("must be in (0, 1]").
        case outOfRange(value: String, rule: String)
    }

    public let setting: String
    public let problem: Problem

    public init(setting: String, problem: Problem) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String {
        if case .unknown(let known) = problem {
            return "unknown setting \"\(setting)\"; known: \(known.joined(separator: ", "))"
        }
        return "\(setting) \(requirement)"
    }

    /// What is wrong with the value, without the setting's name ("needs a number, got \"hot\"").
    public var requirement: String {
        switch problem {
        case .notANumber(let text): return "needs a number, got \"\(text)\""
        case .unknown: return "is not a setting"
        case .outOfRange(let value, let rule): return "\(rule), got \(value)"
        }
    }
}
