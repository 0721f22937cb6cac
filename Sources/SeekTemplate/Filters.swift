import Foundation
import SeekJSON

/// The `| filter` functions: jinja2's built-ins that chat templates use, plus transformers' `tojson`
/// (json.dumps with `ensure_ascii=False`, `indent`, `separators`, `sort_keys`, no HTML escaping).
extension Interpreter {
    func applyFilter(_ name: String, to value: Value, _ args: Arguments, line: Int) throws -> Value {
        func text() -> String { PythonText.str(value) }
        func sequence() throws -> [Value] { try iterate(value, line: line) }
        func bool(_ i: Int, _ key: String) -> Bool { args.value(i, key)?.isTruthy ?? false }
        func string(_ i: Int, _ key: String, _ fallback: String) -> String {
            args.value(i, key).map(PythonText.str) ?? fallback
        }

        switch name {
        case "trim":
            let chars = args.value(0, "chars").flatMap { $0.isNone ? nil : PythonText.str($0) }
            return .string(ScalarText.strip(text(), chars))
        case "length", "count":
            return .int(try length(of: value))
        case "tojson":
            return .string(try toJSON(value, args))
        case "default", "d":
            let fallback = args.value(0, "default_value") ?? .string("")
            let useFallback = bool(1, "boolean") ? !value.isTruthy : value.isUndefined
            return useFallback ? fallback : value
        case "upper": return .string(text().uppercased())
        case "lower": return .string(text().lowercased())
        case "capitalize": return .string(ScalarText.capitalize(text()))
        case "title": return .string(ScalarText.jinjaTitle(text()))
        case "string": return .string(text())
        case "safe": return value
        case "escape", "e":
            if case .string = value {} else if value.isUndefined { return .string("") }
            var escaped = ""
            for c in text().unicodeScalars {
                switch c {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&#34;"
                case "'": escaped += "&#39;"
                default: escaped.unicodeScalars.append(c)
                }
            }
            return .string(escaped)
        case "replace":
            let old = string(0, "old", ""), new = string(1, "new", "")
            let count = args.value(2, "count").flatMap { $0.asInt } ?? -1
            return .string(ScalarText.replace(text(), old, new, count: count))
        case "join":
            var items = try sequence()
            if let attribute = args.value(1, "attribute"), !attribute.isNone {
                items = try items.map { try lookupPath($0, attribute) }
            }
            let texts = items.map(PythonText.str)
            let separator = string(0, "d", "")
            try ScalarText.checkJoinedSize(texts, separator: separator)
            return .string(texts.joined(separator: separator))
        case "first":
            return try sequence().first ?? .undefined(hint: "No first item, sequence was empty.")
        case "last":
            return try sequence().last ?? .undefined(hint: "No last item, sequence was empty.")
        case "list":
            return .array(try sequence())
        case "items":
            switch value {
            case .undefined: return .array([])
            case .object(let o): return .array(o.pairs.map { .array([.string($0.0), $0.1]) })
            default: throw ValueError("items filter: expected a mapping, got \(value.typeName)")
            }
        case "reverse":
            if case .string(let s) = value { return .string(ScalarText.string(s.unicodeScalars.reversed())) }
            return .array(try sequence().reversed())
        case "unique":
            var seen: [Value] = []
            for item in try sequence() {
                try tick(line, 1 + seen.count >> 4)  // quadratic: charge for the comparisons
                if !seen.contains(where: { Comparison.equal($0, item) }) { seen.append(item) }
            }
            return .array(seen)
        case "sort":
            let reverse = bool(0, "reverse"), caseSensitive = bool(1, "case_sensitive")
            let attribute = args.value(2, "attribute")
            func key(_ v: Value) throws -> Value {
                let k = attribute.map { $0.isNone ? v : (try? lookupPath(v, $0)) ?? .none } ?? v
                if !caseSensitive, case .string(let s) = k { return .string(s.lowercased()) }
                return k
            }
            let keyed = try sequence().map { (try key($0), $0) }
            var failure: Error?
            let sorted = keyed.sorted { a, b in
                do { return try Comparison.order(a.0, b.0, op: "<") * (reverse ? -1 : 1) < 0 } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            return .array(sorted.map { $0.1 })
        case "min", "max":
            let items = try sequence()
            guard var best = items.first else { return .undefined(hint: "No \(name) item, sequence was empty.") }
            for item in items.dropFirst() {
                let order = try Comparison.order(item, best, op: "<")
                if name == "min" ? order < 0 : order > 0 { best = item }
            }
            return best
        case "sum":
            var total = args.value(1, "start") ?? .int(0)
            for item in try sequence() {
                let term = try args.value(0, "attribute").map { try lookupPath(item, $0) } ?? item
                total = try Arithmetic.apply("+", total, term)
            }
            return total
        case "abs":
            switch value {
            case .int(let i): return .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw ValueError("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            guard let d = value.asDouble else { throw ValueError("round filter: expected a number") }
            let precision = args.value(0, "precision")?.asInt ?? 0
            let method = string(1, "method", "common")
            let scale = pow(10.0, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven  // Python round() rounds halves to even
            return .double((d * scale).rounded(rule) / scale)
        case "int":
            return int(value, fallback: args.value(0, "default") ?? .int(0))
        case "float":
            return float(value, fallback: args.value(0, "default") ?? .double(0))
        case "indent":
            let width = args.value(0, "width")
            if let n = width?.asInt, n > 1 << 12 { throw ValueError("indent width \(n) is too large") }
            let pad = width.flatMap { $0.asInt.map { String(repeating: " ", count: max(0, $0)) } } ?? width.map(PythonText.str) ?? "    "
            let lines = ScalarText.split(text(), separator: "\n")
            guard lines.count.multipliedReportingOverflow(by: pad.utf8.count + 1).partialValue <= TemplateBudget.maxTextBytes else {
                throw ValueError("indent: the result would be larger than \(TemplateBudget.maxTextBytes) bytes")
            }
            let blank = bool(2, "blank")
            var out = lines.first.map { bool(1, "first") && (blank || !$0.isEmpty) ? pad + $0 : $0 } ?? ""
            for line in lines.dropFirst() { out += "\n" + (blank || !line.isEmpty ? pad + line : line) }
            return .string(out)
        case "wordcount":
            return .int(ScalarText.split(text(), separator: nil).count)
        case "map":
            let items = try sequence()
            if let attribute = args.value(Int.max, "attribute") {
                let fallback = args.value(Int.max, "default")
                return .array(try items.map { item in
                    let v = try lookupPath(item, attribute)
                    if v.isUndefined, let fallback { return fallback }
                    return v
                })
            }
            guard case .string(let filterName)? = args.positional.first else {
                throw ValueError("map filter needs a filter name or attribute=")
            }
            let rest = Arguments(positional: Array(args.positional.dropFirst()), keywords: args.keywords)
            return .array(try items.map { try applyFilter(filterName, to: $0, rest, line: line) })
        case "select", "reject":
            let keep = name == "select"
            let testArgs = Array(args.positional.dropFirst())
            return .array(try sequence().filter { item in
                guard case .string(let test)? = args.positional.first else { return item.isTruthy == keep }
                return try applyTest(test, to: item, testArgs, line: line) == keep
            })
        case "selectattr", "rejectattr":
            let keep = name == "selectattr"
            guard let attribute = args.positional.first else { throw ValueError("\(name) needs an attribute name") }
            let testArgs = Array(args.positional.dropFirst(2))
            return .array(try sequence().filter { item in
                let v = try lookupPath(item, attribute)
                guard case .string(let test)? = args.positional.dropFirst().first else { return v.isTruthy == keep }
                return try applyTest(test, to: v, testArgs, line: line) == keep
            })
        default:
            throw error("unknown filter '\(name)'", line: line)
        }
    }

    func length(of value: Value) throws -> Int {
        switch value {
        case .undefined: return 0
        case .string(let s): return s.unicodeScalars.count
        case .array(let a): return a.count
        case .object(let o): return o.count
        case .namespace(let ns): return ns.attributes.count
        default: throw ValueError("object of type '\(value.typeName)' has no len()")
        }
    }

    /// `attribute="a.b"` of `map`, `join`, `sort`, …: dotted names, integer parts index lists.
    private func lookupPath(_ value: Value, _ path: Value) throws -> Value {
        if let i = path.asInt { return try item(of: value, .int(i)) }
        var current = value
        for part in PythonText.str(path).split(separator: ".", omittingEmptySubsequences: false) {
            if let i = Int(part) { current = try item(of: current, .int(i)) } else {
                current = try item(of: current, .string(String(part)))
            }
        }
        return current
    }

    /// transformers' `tojson`: `json.dumps(value, ensure_ascii=False, indent=…, separators=…, sort_keys=…)`.
    private func toJSON(_ value: Value, _ args: Arguments) throws -> String {
        var indent: String?
        switch args.value(1, "indent") {
        case nil, .none?: break
        case .int(let n)?:
            guard n <= 1 << 12 else { throw ValueError("tojson: indent \(n) is too large") }
            indent = String(repeating: " ", count: max(0, n))
        case .string(let s)?: indent = s
        case let other?: throw ValueError("tojson: indent must be an integer or a string, not \(other.typeName)")
        }
        var writer = JSONWriter(ensureASCII: args.value(0, "ensure_ascii")?.isTruthy ?? false, indent: indent,
                                sortKeys: args.value(3, "sort_keys")?.isTruthy ?? false,
                                maxDepth: TemplateBudget.maxValueDepth)
        writer.maxBytes = TemplateBudget.maxTextBytes
        switch args.value(2, "separators") {
        case nil, .none?: break
        case .array(let parts)? where parts.count == 2:
            writer.itemSeparator = PythonText.str(parts[0])
            writer.keySeparator = PythonText.str(parts[1])
        default: throw ValueError("tojson: separators must be a pair of strings")
        }
        do {
            return try writer.string(try value.json())
        } catch let problem as JSONFieldError {
            throw ValueError("tojson: \(problem)")
        }
    }

    /// jinja2's `int`: numbers truncate, numeric strings parse (also "3.7" → 3), anything else is the default.
    private func int(_ value: Value, fallback: Value) -> Value {
        switch value {
        case .int, .bool: return .int(value.asInt!)
        case .double(let d): return d.isFinite && abs(d) < 9.2e18 ? .int(Int(d)) : fallback
        case .string(let s):
            let trimmed = ScalarText.strip(s, nil).replacingOccurrences(of: "_", with: "")
            if let i = Int(trimmed) { return .int(i) }
            if let d = Double(trimmed), d.isFinite, abs(d) < 9.2e18 { return .int(Int(d)) }
            return fallback
        default: return fallback
        }
    }

    private func float(_ value: Value, fallback: Value) -> Value {
        switch value {
        case .int, .bool, .double: return .double(value.asDouble!)
        case .string(let s): return Double(ScalarText.strip(s, nil)).map { .double($0) } ?? fallback
        default: return fallback
        }
    }
}
