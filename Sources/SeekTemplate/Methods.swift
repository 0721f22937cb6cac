/// The Python methods templates call on strings (`content.split('</think>')`), dicts
/// (`message.items()`, `tool.get('type', 'function')`) and lists. Methods that would change a value
/// (`append`, `update`) are absent, as in transformers' immutable sandbox.
enum Methods {
    static func bound(_ receiver: Value, _ name: String) -> Function? {
        switch receiver {
        case .string(let s): return stringMethod(s, name)
        case .object(let o): return dictMethod(o, name)
        case .array(let a): return listMethod(a, name)
        default: return nil
        }
    }

    private static func method(_ name: String, _ body: @escaping (Arguments) throws -> Value) -> Function {
        Function(name: name) { args, _, _ in try body(args) }
    }

    private static func optionalString(_ args: Arguments, _ i: Int, _ name: String) throws -> String? {
        switch args.value(i, name) {
        case nil, .none?: return nil
        case .string(let s)?: return s
        case let other?: throw ValueError("\(name) must be None or a string, not \(other.typeName)")
        }
    }

    private static func requiredString(_ args: Arguments, _ i: Int, _ name: String, method: String) throws -> String {
        guard case .string(let s)? = args.value(i, name) else {
            throw ValueError("\(method)() argument '\(name)' must be a string")
        }
        return s
    }

    private static func stringMethod(_ s: String, _ name: String) -> Function? {
        switch name {
        case "split", "rsplit":
            return method(name) { args in
                let separator = try optionalString(args, 0, "sep")
                if separator == "" { throw ValueError("empty separator") }
                let maxSplit = args.value(1, "maxsplit")?.asInt ?? -1
                let parts = name == "rsplit" && separator != nil
                    ? ScalarText.rsplit(s, separator: separator!, maxSplit: maxSplit)
                    : ScalarText.split(s, separator: separator, maxSplit: maxSplit)
                return .array(parts.map { .string($0) })
            }
        case "strip", "lstrip", "rstrip":
            return method(name) { args in
                let chars = try optionalString(args, 0, "chars")
                return .string(ScalarText.strip(s, chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "startswith", "endswith":
            return method(name) { args in
                let test = name == "startswith" ? ScalarText.hasPrefix : ScalarText.hasSuffix
                switch args.value(0, "prefix") {
                case .string(let p)?: return .bool(test(s, p))
                case .array(let options)?:
                    return .bool(options.contains { if case .string(let p) = $0 { return test(s, p) } else { return false } })
                default: throw ValueError("\(name) first arg must be str or a tuple of str")
                }
            }
        case "upper": return method(name) { _ in .string(s.uppercased()) }
        case "lower": return method(name) { _ in .string(s.lowercased()) }
        case "title": return method(name) { _ in .string(ScalarText.pythonTitle(s)) }
        case "capitalize": return method(name) { _ in .string(ScalarText.capitalize(s)) }
        case "replace":
            return method(name) { args in
                let old = try requiredString(args, 0, "old", method: name)
                let new = try requiredString(args, 1, "new", method: name)
                return .string(ScalarText.replace(s, old, new, count: args.value(2, "count")?.asInt ?? -1))
            }
        case "find":
            return method(name) { args in
                .int(ScalarText.find(try requiredString(args, 0, "sub", method: name), in: s) ?? -1)
            }
        case "count":
            return method(name) { args in
                let sub = try requiredString(args, 0, "sub", method: name)
                if sub.isEmpty { return .int(s.unicodeScalars.count + 1) }
                return .int(ScalarText.split(s, separator: sub).count - 1)
            }
        case "join":
            return method(name) { args in
                guard case .array(let items)? = args.value(0, "iterable") else {
                    throw ValueError("join() argument must be a list of strings")
                }
                let texts = try items.map { item -> String in
                    guard case .string(let text) = item else {
                        throw ValueError("sequence item: expected str instance, \(item.typeName) found")
                    }
                    return text
                }
                try ScalarText.checkJoinedSize(texts, separator: s)
                return .string(texts.joined(separator: s))
            }
        case "splitlines":
            return method(name) { _ in
                var lines = ScalarText.split(s.replacingNewlines(), separator: "\n")
                if lines.last == "" { lines.removeLast() }
                return .array(lines.map { .string($0) })
            }
        case "isdigit": return method(name) { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) }
        case "isalpha": return method(name) { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isspace": return method(name) { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(ScalarText.isSpace)) }
        case "isupper": return method(name) { _ in .bool(s.contains { $0.isCased } && s == s.uppercased()) }
        case "islower": return method(name) { _ in .bool(s.contains { $0.isCased } && s == s.lowercased()) }
        default: return nil
        }
    }

    private static func dictMethod(_ o: OrderedObject, _ name: String) -> Function? {
        switch name {
        case "items": return method(name) { _ in .array(o.pairs.map { .array([.string($0.0), $0.1]) }) }
        case "keys": return method(name) { _ in .array(o.keys.map { .string($0) }) }
        case "values": return method(name) { _ in .array(o.values) }
        case "get":
            return method(name) { args in
                guard case .string(let key)? = args.value(0, "key") else { return args.value(1, "default") ?? .none }
                return o[key] ?? args.value(1, "default") ?? .none
            }
        default: return nil
        }
    }

    private static func listMethod(_ a: [Value], _ name: String) -> Function? {
        switch name {
        case "index":
            return method(name) { args in
                let target = args.value(0, "value") ?? .none
                guard let i = a.firstIndex(where: { Comparison.equal($0, target) }) else {
                    throw ValueError("\(PythonText.repr(target)) is not in list")
                }
                return .int(i)
            }
        case "count":
            return method(name) { args in
                let target = args.value(0, "value") ?? .none
                return .int(a.filter { Comparison.equal($0, target) }.count)
            }
        default: return nil
        }
    }
}

private extension Character {
    var isCased: Bool { unicodeScalars.contains { $0.properties.isCased } }
}

private extension String {
    func replacingNewlines() -> String { ScalarText.replace(ScalarText.replace(self, "\r\n", "\n"), "\r", "\n") }
}
