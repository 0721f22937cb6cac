/// A config.json that seek cannot run: the file, the field (nil for the file as a whole) and the problem.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case unreadable
        case notJSONObject
        case missing
        case missingOrNotAString
        case notANumber(value: String)
        case notAnInteger(value: String)
        case outOfRange(value: String)
        case notPositive(value: Int)
        case negative(value: Int)
        case notPositiveNumber(value: String)
        case notFinite(value: String)
        case notAbove(value: String, limit: String)
        case notAString(value: String)
        case notABoolean(value: String)
        /// A value above another field's ("topk_group 4 is more than n_group 2").
        case moreThan(value: Int, limitField: String, limit: Int)
        case idOutsideVocabulary(id: Int, vocabularySize: Int)
        case notEven(value: Int)
        case notAnObjectOrNull
        /// A value that would change the math in a way seek does not implement.
        case unsupported(value: String, supported: String?)
        /// A pre-quantized checkpoint (FP8 and the like): seek wants the float weights.
        case quantizedCheckpoint(method: String)
        case expertsPerTokenOutOfRange(perToken: Int, experts: Int)
        case groupsDoNotDivideExperts(groups: Int, topkGroup: Int, experts: Int)
        case groupsHoldTooFewExperts(topkGroup: Int, perToken: Int)
        case needsSigmoidScoring
        case yarnNotPositive
    }

    public let file: String
    public let field: String?
    public let problem: Problem

    public init(file: String, field: String? = nil, problem: Problem) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(file): " + message }

    /// The problem without the file name.
    public var message: String {
        let name = field ?? ""
        switch problem {
        case .unreadable: return "cannot read (is this a model folder?)"
        case .notJSONObject: return "not a JSON object"
        case .missing: return "required field \(name) is missing"
        case .missingOrNotAString: return "required field \(name) is missing or not a string"
        case .notANumber(let value): return "\(name) must be a number, got \(value)"
        case .notAnInteger(let value): return "\(name) must be an integer, got \(value)"
        case .outOfRange(let value): return "\(name) = \(value) is out of range"
        case .notPositive(let value): return "\(name) must be positive, got \(value)"
        case .negative(let value): return "\(name) must be 0 or more, got \(value)"
        case .notPositiveNumber(let value): return "\(name) must be a positive number, got \(value)"
        case .notFinite(let value): return "\(name) must be a finite number, got \(value)"
        case .notAbove(let value, let limit): return "\(name) must be above \(limit), got \(value)"
        case .notAString(let value): return "\(name) must be a string, got \(value)"
        case .notABoolean(let value): return "\(name) must be true or false, got \(value)"
        case .moreThan(let value, let limitField, let limit): return "\(name) \(value) is more than \(limitField) \(limit)"
        case .idOutsideVocabulary(let id, let size): return "\(name) \(id) is outside the vocabulary (0..<\(size))"
        case .notEven(let value): return "\(name) must be even, got \(value)"
        case .notAnObjectOrNull: return "\(name) must be an object or null"
        case .unsupported(let value, let supported):
            return "\(name) '\(value)' is not supported" + (supported.map { " (\($0))" } ?? "")
        case .quantizedCheckpoint(let method): return "\(name) (\(method)) is not supported: use the bf16 checkpoint"
        case .expertsPerTokenOutOfRange(let k, let n): return "\(name) \(k) must be in 1...n_routed_experts (\(n))"
        case .groupsDoNotDivideExperts(let groups, let topk, let n):
            return "n_group \(groups) / topk_group \(topk) do not divide n_routed_experts \(n)"
        case .groupsHoldTooFewExperts(let topk, let k):
            return "topk_group \(topk) groups hold fewer experts than num_experts_per_tok \(k)"
        case .needsSigmoidScoring: return "topk_method noaux_tc needs scoring_func sigmoid"
        case .yarnNotPositive: return "rope_scaling factor and original_max_position_embeddings must be positive"
        }
    }
}
