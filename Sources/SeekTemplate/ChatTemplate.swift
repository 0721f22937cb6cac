import Foundation

/// A Hugging Face chat template (the Jinja `chat_template` of tokenizer_config.json), parsed once and
/// rendered the way transformers' `apply_chat_template` does: jinja2 with `trim_blocks` and
/// `lstrip_blocks`, undefined variables that print as nothing, `raise_exception`, and `tojson`
/// without ASCII escaping.
public struct ChatTemplate: Sendable {
    private let program: Program

    /// Parses `source`; syntax errors are `TemplateError`s naming the template line.
    public init(source: String) throws {
        program = Program(statements: try Parser.parse(try Lexer.tokenize(source)))
    }

    /// Renders a conversation.
    ///
    /// `messages` and `tools` are JSON-like values: String, Int, Double, Bool, NSNull, [Any],
    /// [String: Any]. Swift dictionaries have no order, so their keys are sorted; use
    /// `render(contextJSON:)` where the key order of `tojson` output must match a JSON file.
    /// A nil `bosToken`/`eosToken` is undefined in the template; a nil `tools` is `none`, as transformers
    /// passes it.
    public func render(messages: [[String: Any]], addGenerationPrompt: Bool,
                       bosToken: String?, eosToken: String?, tools: [Any]? = nil,
                       extraContext: [String: Any] = [:]) throws -> String {
        var context: [String: Value] = [:]
        for (key, value) in extraContext { context[key] = try Value(any: value) }
        context["messages"] = try Value(any: messages)
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        context["tools"] = try tools.map { try Value(any: $0) } ?? Value.none
        if let bosToken { context["bos_token"] = .string(bosToken) }
        if let eosToken { context["eos_token"] = .string(eosToken) }
        return try program.render(context)
    }

    /// Renders with the variables of a JSON object (`{"messages": [...], "add_generation_prompt": true,
    /// "bos_token": "…", "tools": [...]}`), keeping its key order, as Python's json.loads does.
    public func render(contextJSON: String) throws -> String {
        guard case .object(let object) = try JSONReader.parse(contextJSON) else {
            throw TemplateError(message: "the render context must be a JSON object", line: nil)
        }
        var context: [String: Value] = [:]
        for (key, value) in object.pairs { context[key] = value }
        return try program.render(context)
    }
}

/// The parsed statements. Rendering never mutates them, so a template can be shared across threads.
private final class Program: @unchecked Sendable {
    let statements: [Stmt]
    init(statements: [Stmt]) { self.statements = statements }

    func render(_ context: [String: Value]) throws -> String {
        let interpreter = Interpreter(context: context)
        _ = try interpreter.execute(statements)
        return interpreter.output
    }
}

extension Value {
    /// Converts Swift / Foundation JSON-like values (including what JSONSerialization returns).
    init(any: Any) throws {
        switch any {
        case let v as Value: self = v
        case is NSNull: self = .none
        case let s as String: self = .string(s)
        case let b as Bool where type(of: any) == Bool.self: self = .bool(b)
        case let number as NSNumber where type(of: any) is NSNumber.Type:
            // A Foundation number (JSONSerialization): its type code says bool, float or integer.
            switch String(cString: number.objCType) {
            case "c", "B": self = .bool(number.boolValue)
            case "f", "d": self = .double(number.doubleValue)
            default: self = .int(number.intValue)
            }
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let f as Float: self = .double(Double(f))
        case let i as Int64: self = .int(Int(i))
        case let i as Int32: self = .int(Int(i))
        case let array as [Any]: self = .array(try array.map { try Value(any: $0) })
        case let dict as [String: Any]:
            var object = OrderedObject()
            for key in dict.keys.sorted() { object[key] = try Value(any: dict[key]!) }
            self = .object(object)
        case let optional as Optional<Any>:
            guard let wrapped = optional else { self = .none; return }
            self = try Value(any: wrapped)
        }
    }
}
