/// The `is` tests (`x is defined`, `x is not none`, `n is divisibleby 3`, `x is string`, …).
extension Interpreter {
    func applyTest(_ name: String, to value: Value, _ args: [Value], line: Int) throws -> Bool {
        func argument() throws -> Value {
            guard let first = args.first else { throw error("test '\(name)' needs an argument", line: line) }
            return first
        }
        do {
            switch name {
            case "defined": return !value.isUndefined
            case "undefined": return value.isUndefined
            case "none": return value.isNone
            case "true": if case .bool(true) = value { return true } else { return false }
            case "false": if case .bool(false) = value { return true } else { return false }
            case "boolean": if case .bool = value { return true } else { return false }
            case "string": if case .string = value { return true } else { return false }
            case "number": return value.isNumber
            case "integer": if case .int = value { return true } else { return false }
            case "float": if case .double = value { return true } else { return false }
            case "mapping": if case .object = value { return true } else { return false }
            case "callable": if case .function = value { return true } else { return false }
            case "iterable":
                switch value {
                case .undefined, .string, .array, .object, .namespace: return true
                default: return false
                }
            case "sequence":
                switch value {
                case .undefined, .string, .array, .object: return true
                default: return false
                }
            case "odd", "even":
                guard let i = value.asInt else { throw ValueError("test '\(name)' needs an integer") }
                return (abs(i) % 2 == 1) == (name == "odd")
            case "divisibleby":
                guard let i = value.asInt, let d = try argument().asInt, d != 0 else {
                    throw ValueError("test 'divisibleby' needs non-zero integers")
                }
                return i % d == 0
            case "lower":
                if case .string(let s) = value { return s == s.lowercased() } else { return false }
            case "upper":
                if case .string(let s) = value { return s == s.uppercased() } else { return false }
            case "eq", "equalto", "==": return Comparison.equal(value, try argument())
            case "ne", "!=": return !Comparison.equal(value, try argument())
            case "lt", "lessthan", "<": return try Comparison.compare("<", value, try argument())
            case "le", "<=": return try Comparison.compare("<=", value, try argument())
            case "gt", "greaterthan", ">": return try Comparison.compare(">", value, try argument())
            case "ge", ">=": return try Comparison.compare(">=", value, try argument())
            case "in": return try Comparison.contains(try argument(), value)
            case "sameas":
                let other = try argument()
                switch (value, other) {
                case (.none, .none): return true
                case (.bool(let a), .bool(let b)): return a == b
                case (.namespace(let a), .namespace(let b)): return a === b
                default: return false
                }
            default:
                throw error("unknown test '\(name)'", line: line)
            }
        } catch let problem as ValueError {
            throw error(problem.message, line: line)
        }
    }
}
