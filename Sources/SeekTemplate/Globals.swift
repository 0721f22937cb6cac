import Foundation

/// Functions every template can call: jinja2's `range`, `namespace`, `dict` and transformers'
/// `raise_exception` and `strftime_now`.
enum Globals {
    /// jinja2's sandbox refuses bigger ranges; so do we, rather than exhaust memory.
    static let maxRange = 100_000

    static var all: [String: Value] {
        [
            "range": .function(Function(name: "range", body: range)),
            "namespace": .function(Function(name: "namespace", body: namespace)),
            "dict": .function(Function(name: "dict", body: dict)),
            "raise_exception": .function(Function(name: "raise_exception", body: raiseException)),
            "strftime_now": .function(Function(name: "strftime_now", body: strftimeNow)),
        ]
    }

    private static func range(_ args: Arguments, _ interpreter: Interpreter, _ line: Int) throws -> Value {
        let numbers = try args.positional.map { v -> Int in
            guard let i = v.asInt else { throw ValueError("range() arguments must be integers, not \(v.typeName)") }
            return i
        }
        let (start, stop, step): (Int, Int, Int)
        switch numbers.count {
        case 1: (start, stop, step) = (0, numbers[0], 1)
        case 2: (start, stop, step) = (numbers[0], numbers[1], 1)
        case 3: (start, stop, step) = (numbers[0], numbers[1], numbers[2])
        default: throw ValueError("range expected 1 to 3 arguments, got \(numbers.count)")
        }
        guard step != 0 else { throw ValueError("range() arg 3 must not be zero") }
        let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
        guard count <= maxRange else { throw ValueError("range too big: more than \(maxRange) items") }
        return .array(stride(from: start, to: stop, by: step).map { .int($0) })
    }

    private static func namespace(_ args: Arguments, _ interpreter: Interpreter, _ line: Int) throws -> Value {
        var attributes = OrderedObject()
        for positional in args.positional {
            guard case .object(let o) = positional else { throw ValueError("namespace() takes a mapping or keywords") }
            for (k, v) in o.pairs { attributes[k] = v }
        }
        for (k, v) in args.keywords { attributes[k] = v }
        return .namespace(Namespace(attributes))
    }

    private static func dict(_ args: Arguments, _ interpreter: Interpreter, _ line: Int) throws -> Value {
        var object = OrderedObject()
        for (k, v) in args.keywords { object[k] = v }
        return .object(object)
    }

    /// The template's own error: the message as the template wrote it.
    private static func raiseException(_ args: Arguments, _ interpreter: Interpreter, _ line: Int) throws -> Value {
        throw TemplateError(message: args.positional.first.map(PythonText.str) ?? "raise_exception called", line: line)
    }

    private static func strftimeNow(_ args: Arguments, _ interpreter: Interpreter, _ line: Int) throws -> Value {
        guard case .string(let format)? = args.value(0, "format") else {
            throw ValueError("strftime_now() needs a format string")
        }
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [Int8](repeating: 0, count: 512)
        let written = strftime(&buffer, buffer.count, format, &parts)
        guard written > 0 || format.isEmpty else { throw ValueError("strftime_now(): format gives too long a text") }
        return .string(String(decoding: buffer[0..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
