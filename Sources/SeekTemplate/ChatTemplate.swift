import Foundation
import SeekJSON

/// A Hugging Face chat template (the Jinja `chat_template` of tokenizer_config.json), parsed once and
/// rendered the way transformers' `apply_chat_template` does: jinja2 with `trim_blocks` and
/// `lstrip_blocks`, undefined variables that print as nothing, `raise_exception`, and `tojson`
/// without ASCII escaping.
///
/// Every render runs within a `TemplateBudget` (steps, output size, recursion depth); a template that
/// exceeds it fails with a `TemplateError` naming its line. A template that renders nothing returns ""
/// as is: the caller decides what an empty prompt means.
public struct ChatTemplate: Sendable {
    private let program: Program
    /// The name errors carry ("tokenizer_config.json chat_template"); nil prints "chat template".
    public let name: String?
    public let budget: TemplateBudget

    /// Parses `source`; syntax errors are `TemplateError`s naming the template line (and `name`).
    public init(source: String, name: String? = nil, budget: TemplateBudget = .default) throws {
        self.name = name
        self.budget = budget
        do {
            program = Program(statements: try Parser.parse(try Lexer.tokenize(source)))
        } catch var problem as TemplateError {
            problem.template = name
            throw problem
        }
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
        do {
            for (key, value) in extraContext { context[key] = try Value(any: value) }
            context["messages"] = try Value(any: messages)
            context["tools"] = try tools.map { try Value(any: $0) } ?? Value.none
        } catch let problem as ValueError {
            throw TemplateError(message: "the render context: \(problem.message)", line: nil, template: name)
        }
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        if let bosToken { context["bos_token"] = .string(bosToken) }
        if let eosToken { context["eos_token"] = .string(eosToken) }
        return try run(context).output
    }

    /// Renders with the variables of a JSON object (`{"messages": [...], "add_generation_prompt": true,
    /// "bos_token": "…", "tools": [...]}`), keeping its key order, as Python's json.loads does.
    public func render(contextJSON: String) throws -> String {
        try run(try Self.context(json: contextJSON)).output
    }

    /// Renders like `render(contextJSON:)` and reports what the render used of the budget.
    public func usage(contextJSON: String) throws -> TemplateUsage {
        try run(try Self.context(json: contextJSON)).usage
    }

    private static func context(json text: String) throws -> [String: Value] {
        let json: JSON
        do { json = try JSONParser.parse(text) } catch {
            throw TemplateError(message: "the render context is not JSON: \(error)", line: nil)
        }
        guard case .object(let object) = json else {
            throw TemplateError(message: "the render context must be a JSON object", line: nil)
        }
        var context: [String: Value] = [:]
        do {
            for (key, value) in object.members { context[key] = try Value(json: value) }
        } catch let problem as ValueError {
            throw TemplateError(message: "the render context: \(problem.message)", line: nil)
        }
        return context
    }

    private func run(_ context: [String: Value]) throws -> (output: String, usage: TemplateUsage) {
        do {
            return try program.render(context, budget: budget)
        } catch var problem as TemplateError {
            problem.template = name
            throw problem
        } catch let problem as ValueError {
            throw TemplateError(message: problem.message, line: nil, template: name)
        }
    }
}

/// The parsed statements. Rendering never mutates them, so a template can be shared across threads.
private final class Program: @unchecked Sendable {
    let statements: [Stmt]
    init(statements: [Stmt]) { self.statements = statements }

    func render(_ context: [String: Value], budget: TemplateBudget) throws -> (output: String, usage: TemplateUsage) {
        let interpreter = Interpreter(context: context, budget: budget)
        _ = try interpreter.execute(statements)
        return (interpreter.output, interpreter.usage)
    }
}

extension Value {
    /// Converts JSON-like values: SeekJSON's `JSON`, Swift scalars, arrays and dictionaries, and
    /// Foundation's NSNull and NSNumber.
    init(any: Any, depth: Int = 0) throws {
        guard depth <= TemplateBudget.maxValueDepth else { throw Value.tooDeep }
        switch any {
        case let v as Value: self = v
        case let json as JSON: self = try Value(json: json, depth: depth)
        case is NSNull: self = .none
        case let s as String: self = .string(s)
        case let b as Bool where type(of: any) == Bool.self: self = .bool(b)
        case let number as NSNumber where type(of: any) is NSNumber.Type:
            // A Foundation number: its type code says bool, float or integer.
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
        case let array as [Any]: self = .array(try array.map { try Value(any: $0, depth: depth + 1) })
        case let dict as [String: Any]:
            var object = OrderedObject()
            for key in dict.keys.sorted() { object[key] = try Value(any: dict[key]!, depth: depth + 1) }
            self = .object(object)
        default:
            // Every value casts to Optional<Any>, so unwrap real optionals by reflection (a cast would
            // recurse forever on an unsupported type).
            let mirror = Mirror(reflecting: any)
            guard mirror.displayStyle == .optional else {
                throw ValueError("a \(type(of: any)) cannot be passed to a template (JSON-like values only)")
            }
            guard let wrapped = mirror.children.first?.value else { self = .none; return }
            self = try Value(any: wrapped, depth: depth + 1)
        }
    }
}
