/// Expression evaluation with Python semantics for operators, indexing and attribute lookup.
extension Interpreter {
    func evaluate(_ expr: Expr) throws -> Value {
        try tick(expr.line)
        try enter(expr.line)
        defer { leave() }
        do {
            let value = try evaluateUnchecked(expr)
            switch expr.kind {
            case .binary, .filter, .call, .list, .dict, .slice: try charge(value, line: expr.line)
            default: break
            }
            return value
        } catch let problem as ValueError {
            throw error(problem.message, line: expr.line)
        }
    }

    private func evaluateUnchecked(_ expr: Expr) throws -> Value {
        switch expr.kind {
        case .literal(let value):
            return value
        case .name(let name):
            return scope.lookup(name) ?? .undefinedName(name)
        case .list(let items):
            return .array(try items.map(evaluate))
        case .dict(let pairs):
            var object = OrderedObject()
            for (keyExpr, valueExpr) in pairs {
                let key = try evaluate(keyExpr)
                guard case .string(let k) = key else {
                    throw error("dict keys must be strings, got \(key.typeName)", line: keyExpr.line)
                }
                object[k] = try evaluate(valueExpr)
            }
            return .object(object)
        case .attribute(let base, let name):
            return try attribute(of: try evaluate(base), name)
        case .index(let base, let index):
            return try item(of: try evaluate(base), try evaluate(index))
        case .slice(let base, let start, let stop, let step):
            return try slice(try evaluate(base), start: try start.map(evaluate), stop: try stop.map(evaluate),
                             step: try step.map(evaluate))
        case .call(let callee, let positional, let keywords):
            let function = try evaluate(callee)
            let args = Arguments(positional: try positional.map(evaluate),
                                 keywords: try keywords.map { ($0.0, try evaluate($0.1)) })
            return try call(function, args, line: expr.line)
        case .filter(let base, let name, let positional, let keywords):
            let value = try evaluate(base)
            let args = Arguments(positional: try positional.map(evaluate),
                                 keywords: try keywords.map { ($0.0, try evaluate($0.1)) })
            return try applyFilter(name, to: value, args, line: expr.line)
        case .test(let base, let name, let arguments, let negated):
            let result = try applyTest(name, to: try evaluate(base), try arguments.map(evaluate), line: expr.line)
            return .bool(result != negated)
        case .not(let operand):
            return .bool(!(try evaluate(operand)).isTruthy)
        case .negate(let operand):
            return try Arithmetic.negate(try evaluate(operand))
        case .plus(let operand):
            let value = try evaluate(operand)
            guard value.isNumber else { throw ValueError("bad operand type for unary +: '\(value.typeName)'") }
            return value
        case .and(let left, let right):
            let l = try evaluate(left)
            return l.isTruthy ? try evaluate(right) : l
        case .or(let left, let right):
            let l = try evaluate(left)
            return l.isTruthy ? l : try evaluate(right)
        case .binary(let op, let left, let right):
            return try Arithmetic.apply(op, try evaluate(left), try evaluate(right))
        case .compare(let first, let rest):
            var left = try evaluate(first)
            for (op, rightExpr) in rest {  // Python chaining: a < b < c is a < b and b < c
                let right = try evaluate(rightExpr)
                if !(try Comparison.compare(op, left, right)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let test, let then, let otherwise):
            if try evaluate(test).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined(hint: "the inline if expression has no else branch")
        }
    }

    func call(_ callee: Value, _ args: Arguments, line: Int) throws -> Value {
        switch callee {
        case .function(let function):
            do {
                return try function.body(args, self, line)
            } catch let problem as ValueError {
                throw error(problem.message, line: line)
            }
        case .undefined(let hint):
            throw error(hint, line: line)
        default:
            throw error("'\(callee.typeName)' object is not callable", line: line)
        }
    }

    /// `obj.name`: a method of strings, dicts and lists first (as Python's getattr), then a dict key or
    /// namespace attribute; missing ones are undefined. Any access on an undefined value is an error.
    func attribute(of value: Value, _ name: String) throws -> Value {
        if case .undefined(let hint) = value { throw ValueError(hint) }
        if let method = Methods.bound(value, name) { return .function(method) }
        switch value {
        case .object(let o):
            if let v = o[name] { return v }
        case .namespace(let ns):
            if let v = ns.attributes[name] { return v }
        default:
            break
        }
        return .undefined(hint: "'\(value.typeName) object' has no attribute '\(name)'")
    }

    /// `obj[key]`: dict keys, list and string indices (negative from the end); missing ones are undefined.
    func item(of value: Value, _ key: Value) throws -> Value {
        switch (value, key) {
        case (.undefined(let hint), _):
            throw ValueError(hint)
        case (.object(let o), .string(let k)):
            if let v = o[k] { return v }
        case (.namespace(let ns), .string(let k)):
            if let v = ns.attributes[k] { return v }
        case (.array(let items), _):
            if let i = key.asInt, let resolved = Interpreter.resolveIndex(i, count: items.count) { return items[resolved] }
        case (.string(let s), _):
            if let i = key.asInt {
                let scalars = Array(s.unicodeScalars)
                if let resolved = Interpreter.resolveIndex(i, count: scalars.count) { return .string(String(scalars[resolved])) }
            }
        default:
            break
        }
        if case .string(let k) = key, let method = Methods.bound(value, k) { return .function(method) }
        return .undefined(hint: "'\(value.typeName) object' has no attribute \(PythonText.repr(key))")
    }

    private static func resolveIndex(_ i: Int, count: Int) -> Int? {
        let resolved = i < 0 ? i + count : i
        return resolved >= 0 && resolved < count ? resolved : nil
    }

    /// Python slicing `[start:stop:step]` on lists and strings.
    func slice(_ value: Value, start: Value?, stop: Value?, step: Value?) throws -> Value {
        func bound(_ v: Value?) throws -> Int? {
            guard let v, !v.isNone else { return nil }
            guard let i = v.asInt else { throw ValueError("slice indices must be integers or None") }
            return i
        }
        let step = try bound(step) ?? 1
        guard step != 0 else { throw ValueError("slice step cannot be zero") }
        func indices(count: Int) throws -> [Int] {
            func clamp(_ raw: Int?, _ defaultValue: Int) -> Int {
                guard var i = raw else { return defaultValue }
                if i < 0 { i += count }
                return step > 0 ? min(max(i, 0), count) : min(max(i, -1), count - 1)
            }
            let from = clamp(try bound(start), step > 0 ? 0 : count - 1)
            let to = clamp(try bound(stop), step > 0 ? count : -1)
            return Array(stride(from: from, to: to, by: step))
        }
        switch value {
        case .undefined(let hint):
            throw ValueError(hint)
        case .array(let items):
            return .array(try indices(count: items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            return .string(ScalarText.string(try indices(count: scalars.count).map { scalars[$0] }))
        default:
            throw ValueError("'\(value.typeName)' object is not subscriptable")
        }
    }
}
