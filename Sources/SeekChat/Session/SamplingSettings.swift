import Foundation
import SeekEngine

/// Everything about how a reply is produced that a user can set: by a front end's options, in the
/// registry, or by name (`/set NAME VALUE` in the chat). The names here are the ones the registry and
/// `/set` use.
public struct SamplingSettings: Equatable, Sendable {
    public var parameters = SamplingParameters()
    /// Most tokens per reply; negative means no limit.
    public var maxTokens = -1
    public var stop: [String] = []

    public init() {}

    /// The names `set` and the registry's "sampling" object accept.
    public static let names = ["temperature", "top_k", "top_p", "min_p", "repeat_penalty", "repeat_last_n", "seed", "max_tokens"]

    /// Sets one value by name, checking its range; on a bad value nothing changes.
    public mutating func set(_ name: String, to text: String) throws {
        func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
            guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
                throw SettingError(setting: name, problem: .notANumber(text: text))
            }
            return value
        }
        var next = self
        switch name {
        case "temperature", "temp": next.parameters.temperature = try number(Float.self)
        case "top_k": next.parameters.topK = try number(Int.self)
        case "top_p": next.parameters.topP = try number(Float.self)
        case "min_p": next.parameters.minP = try number(Float.self)
        case "repeat_penalty": next.parameters.repeatPenalty = try number(Float.self)
        case "repeat_last_n": next.parameters.repeatLastN = try number(Int.self)
        case "seed": next.parameters.seed = try number(UInt64.self)
        case "max_tokens": next.maxTokens = try number(Int.self)
        default: throw SettingError(setting: name, problem: .unknown(known: SamplingSettings.names))
        }
        let p = next.parameters
        try SamplingSettings.check(temperature: p.temperature, topK: p.topK, topP: p.topP, minP: p.minP,
                                   repeatPenalty: p.repeatPenalty, maxTokens: next.maxTokens, repeatLastN: p.repeatLastN)
        self = next
    }

    /// Throws the first out-of-range value among those given.
    public static func check(temperature: Float? = nil, topK: Int? = nil, topP: Float? = nil, minP: Float? = nil,
                             repeatPenalty: Float? = nil, maxTokens: Int? = nil, repeatLastN: Int? = nil) throws {
        func outOfRange(_ name: String, _ value: some CustomStringConvertible, _ rule: String) -> SettingError {
            SettingError(setting: name, problem: .outOfRange(value: value.description, rule: rule))
        }
        if let temperature, !(temperature >= 0 && temperature.isFinite) { throw outOfRange("temperature", temperature, temperature.isFinite ? "must be 0 or more" : "must be a finite number, 0 or more") }
        if let topK, topK < 0 { throw outOfRange("top_k", topK, "must be 0 (off) or more") }
        if let topP, !(topP > 0 && topP <= 1) { throw outOfRange("top_p", topP, "must be in (0, 1]") }
        if let minP, !(minP >= 0 && minP <= 1) { throw outOfRange("min_p", minP, "must be in [0, 1]") }
        if let repeatPenalty, !(repeatPenalty > 0 && repeatPenalty.isFinite) {
            throw outOfRange("repeat_penalty", repeatPenalty, "must be above 0")
        }
        if let maxTokens, maxTokens < -1 { throw outOfRange("max_tokens", maxTokens, "must be -1 (no limit) or more") }
        if let repeatLastN, repeatLastN < 0 { throw outOfRange("repeat_last_n", repeatLastN, "must be 0 or more") }
    }
}
