import Foundation
import SeekEngine

/// Everything about how a reply is produced that a user can set: by flag, in the registry, or with
/// `/set NAME VALUE` in the chat. The names here are the ones the registry and `/set` use.
struct SamplingSettings: Equatable {
    var parameters = SamplingParameters()
    /// Most tokens per reply; negative means no limit.
    var maxTokens = -1
    var stop: [String] = []

    /// The names `/set` and the registry's "sampling" object accept.
    static let names = ["temperature", "top_k", "top_p", "min_p", "repeat_penalty", "repeat_last_n", "seed", "max_tokens"]

    /// Sets one value by name, checking its range. Throws a one-line explanation on bad input.
    mutating func set(_ name: String, to text: String) throws {
        func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
            guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
                throw SeekError("\(name) needs a number, got \"\(text)\"")
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
        default:
            throw SeekError("unknown setting \"\(name)\"; known: \(SamplingSettings.names.joined(separator: ", "))")
        }
        let p = next.parameters
        if let problem = SamplingSettings.problem(temperature: p.temperature, topK: p.topK, topP: p.topP, minP: p.minP,
                                                  repeatPenalty: p.repeatPenalty, maxTokens: next.maxTokens,
                                                  repeatLastN: p.repeatLastN) {
            throw SeekError(problem)
        }
        self = next
    }

    /// Throws the first out-of-range value as a usage error.
    static func check(temperature: Float?, topK: Int?, topP: Float?, minP: Float?, repeatPenalty: Float?, maxTokens: Int?) throws {
        if let problem = problem(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                 repeatPenalty: repeatPenalty, maxTokens: maxTokens, repeatLastN: nil) {
            throw SeekError(problem)
        }
    }

    private static func problem(temperature: Float?, topK: Int?, topP: Float?, minP: Float?, repeatPenalty: Float?,
                                maxTokens: Int?, repeatLastN: Int?) -> String? {
        if let temperature, !(temperature >= 0 && temperature.isFinite) { return "temperature must be 0 or more, got \(temperature)" }
        if let topK, topK < 0 { return "top_k must be 0 (off) or more, got \(topK)" }
        if let topP, !(topP > 0 && topP <= 1) { return "top_p must be in (0, 1], got \(topP)" }
        if let minP, !(minP >= 0 && minP <= 1) { return "min_p must be in [0, 1], got \(minP)" }
        if let repeatPenalty, !(repeatPenalty > 0 && repeatPenalty.isFinite) { return "repeat_penalty must be above 0, got \(repeatPenalty)" }
        if let maxTokens, maxTokens < -1 { return "max_tokens must be -1 (no limit) or more, got \(maxTokens)" }
        if let repeatLastN, repeatLastN < 0 { return "repeat_last_n must be 0 or more, got \(repeatLastN)" }
        return nil
    }

    /// The settings as `/show` prints them.
    var summary: String {
        let p = parameters
        var line = "temperature \(p.temperature)  top_k \(p.topK)  top_p \(p.topP)  min_p \(p.minP)  "
            + "repeat_penalty \(p.repeatPenalty)  repeat_last_n \(p.repeatLastN)  seed \(p.seed)  "
            + "max_tokens \(maxTokens < 0 ? "unlimited" : String(maxTokens))"
        if !stop.isEmpty { line += "  stop \(stop.map { "\"\($0)\"" }.joined(separator: ", "))" }
        return line
    }
}
