/// A variable scope. The template's top level is one scope; every loop iteration, macro call and
/// block capture opens a child, so `{% set %}` inside a loop does not leak out of it (as in jinja2).
final class Scope {
    private var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?, variables: [String: Value] = [:]) {
        self.parent = parent
        self.variables = variables
    }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let s = scope {
            if let value = s.variables[name] { return value }
            scope = s.parent
        }
        return nil
    }

    func set(_ name: String, _ value: Value) { variables[name] = value }
}

/// How a statement list ended: normally or by `{% break %}` / `{% continue %}`.
enum Flow {
    case normal, breakLoop, continueLoop
}

/// Walks the statements of one render, writing text to `output`.
final class Interpreter {
    private(set) var output = ""
    private(set) var scope: Scope
    let globals: Scope
    /// Macro calls in progress; bounded so a macro calling itself fails instead of overflowing the stack.
    private var callDepth = 0
    private static let maxCallDepth = 64
    let budget: TemplateBudget
    private(set) var usage = TemplateUsage()
    /// Current recursion of `evaluate` and `execute`, checked against `budget.maxDepth`.
    private var depth = 0

    init(context: [String: Value], budget: TemplateBudget = .default) {
        globals = Scope(parent: nil, variables: Globals.all)
        scope = Scope(parent: globals, variables: context)
        self.budget = budget
    }

    func error(_ message: String, line: Int) -> TemplateError { TemplateError(message: message, line: line) }

    // MARK: Budget

    /// Counts `steps` of work done at `line`; fails once the render has used its budget.
    @inline(__always)
    func tick(_ line: Int, _ steps: Int = 1) throws {
        usage.steps += steps
        if usage.steps > budget.maxSteps {
            throw error("the template needs more than \(budget.maxSteps) evaluation steps (an endless or huge loop?)", line: line)
        }
    }

    /// Counts the work of building `value` and refuses values beyond the fixed size limits.
    func charge(_ value: Value, line: Int) throws {
        switch value {
        case .string(let s):
            let bytes = s.utf8.count
            if bytes > TemplateBudget.maxTextBytes {
                throw error("the template builds a string of more than \(TemplateBudget.maxTextBytes) bytes", line: line)
            }
            if bytes >= 64 { try tick(line, bytes >> 6) }
        case .array(let items):
            if items.count > TemplateBudget.maxItems {
                throw error("the template builds a list of more than \(TemplateBudget.maxItems) items", line: line)
            }
            if items.count >= 4 { try tick(line, items.count >> 2) }
        default:
            break
        }
    }

    /// Enters one level of recursion (an expression, a statement); `leave()` must follow.
    @inline(__always)
    func enter(_ line: Int) throws {
        depth += 1
        if depth > usage.depth { usage.depth = depth }
        if depth > budget.maxDepth {
            depth -= 1
            throw error("the template nests or recurses more than \(budget.maxDepth) levels deep", line: line)
        }
    }

    @inline(__always)
    func leave() { depth -= 1 }

    /// Appends rendered text, within the output budget.
    private func emit(_ text: String, line: Int) throws {
        output += text
        usage.outputBytes = max(usage.outputBytes, output.utf8.count)
        if output.utf8.count > budget.maxOutputBytes {
            throw error("the template writes more than \(budget.maxOutputBytes) bytes", line: line)
        }
        if text.utf8.count >= 64 { try tick(line, text.utf8.count >> 6) }
    }

    // MARK: Statements

    func execute(_ statements: [Stmt]) throws -> Flow {
        for statement in statements {
            let flow = try execute(statement)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    private func execute(_ statement: Stmt) throws -> Flow {
        let line = statement.line
        try tick(line)
        try enter(line)
        defer { leave() }
        switch statement {
        case .text(let text, let line):
            try emit(text, line: line)
        case .output(let expr):
            try emit(PythonText.str(try evaluate(expr)), line: expr.line)
        case .ifChain(let branches, let otherwise):
            for (condition, body) in branches where try evaluate(condition).isTruthy {
                return try execute(body)
            }
            return try execute(otherwise)
        case .forLoop(let targets, let iterable, let condition, let body, let otherwise, let line):
            return try executeFor(targets: targets, iterable: iterable, condition: condition, body: body,
                                  otherwise: otherwise, line: line)
        case .set(let target, let expr, let line):
            try assign(target, try evaluate(expr), line: line)
        case .setBlock(let target, let body, let filter, let line):
            var value = Value.string(try capture(body))
            if let filter { value = try applyBlockFilter(filter, to: value) }
            try assign(target, value, line: line)
        case .filterBlock(let filter, let body):
            try emit(PythonText.str(try applyBlockFilter(filter, to: .string(try capture(body)))), line: filter.line)
        case .macro(let name, let parameters, let body):
            scope.set(name, .function(makeMacro(name: name, parameters: parameters, body: body)))
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    /// Runs `body` in a child scope and returns what it wrote instead of writing it.
    func capture(_ body: [Stmt], in child: Scope? = nil) throws -> String {
        let savedOutput = output
        let savedScope = scope
        output = ""
        scope = child ?? Scope(parent: savedScope)
        defer {
            output = savedOutput
            scope = savedScope
        }
        _ = try execute(body)
        return output
    }

    private func applyBlockFilter(_ filter: Expr, to value: Value) throws -> Value {
        let savedScope = scope
        scope = Scope(parent: savedScope, variables: [blockValuePlaceholder: value])
        defer { scope = savedScope }
        return try evaluate(filter)
    }

    private func assign(_ target: AssignTarget, _ value: Value, line: Int) throws {
        switch target {
        case .name(let name):
            scope.set(name, value)
        case .attribute(let objectName, let attribute):
            guard case .namespace(let ns) = scope.lookup(objectName) ?? .undefinedName(objectName) else {
                throw error("cannot assign attribute '\(attribute)' on '\(objectName)': it is not a namespace", line: line)
            }
            // Values only accumulate across loop iterations through namespaces: bound their nesting here.
            var visited = 0
            let levels = value.nestingDepth(limit: TemplateBudget.maxValueDepth, visited: &visited)
            try tick(line, visited >> 2)
            guard levels <= TemplateBudget.maxValueDepth else { throw error(Value.tooDeep.message, line: line) }
            ns.attributes[attribute] = value
        case .names(let names):
            let items = try unpack(value, count: names.count, line: line)
            for (name, item) in zip(names, items) { scope.set(name, item) }
        }
    }

    private func unpack(_ value: Value, count: Int, line: Int) throws -> [Value] {
        switch value {
        case .array, .string, .object: break
        default: throw error("cannot unpack non-iterable \(value.typeName) object", line: line)
        }
        let items = try iterate(value, line: line)
        guard items.count == count else {
            throw error("cannot unpack \(items.count) values into \(count) names", line: line)
        }
        return items
    }

    private func executeFor(targets: [String], iterable: Expr, condition: Expr?, body: [Stmt],
                            otherwise: [Stmt], line: Int) throws -> Flow {
        var items = try iterate(try evaluate(iterable), line: line)
        let outer = scope
        defer { scope = outer }
        func bind(_ item: Value, into child: Scope) throws {
            if targets.count == 1 {
                child.set(targets[0], item)
            } else {
                for (name, part) in zip(targets, try unpack(item, count: targets.count, line: line)) {
                    child.set(name, part)
                }
            }
        }
        if let condition {  // jinja2 filters first, so loop.length counts only the kept items
            items = try items.filter { item in
                try tick(line)
                let child = Scope(parent: outer)
                try bind(item, into: child)
                scope = child
                return try evaluate(condition).isTruthy
            }
            scope = outer
        }
        if items.isEmpty {
            scope = Scope(parent: outer)
            _ = try execute(otherwise)
            return .normal
        }
        for (i, item) in items.enumerated() {
            try tick(line, TemplateBudget.stepsPerIteration)
            let child = Scope(parent: outer)
            try bind(item, into: child)
            child.set("loop", loopObject(index: i, items: items))
            scope = child
            if case .breakLoop = try execute(body) { break }
        }
        return .normal
    }

    private func loopObject(index: Int, items: [Value]) -> Value {
        let count = items.count
        var loop = OrderedObject()
        loop["index"] = .int(index + 1)
        loop["index0"] = .int(index)
        loop["revindex"] = .int(count - index)
        loop["revindex0"] = .int(count - index - 1)
        loop["first"] = .bool(index == 0)
        loop["last"] = .bool(index == count - 1)
        loop["length"] = .int(count)
        loop["depth"] = .int(1)
        loop["depth0"] = .int(0)
        loop["previtem"] = index > 0 ? items[index - 1] : .undefined(hint: "there is no previous item")
        loop["nextitem"] = index < count - 1 ? items[index + 1] : .undefined(hint: "there is no next item")
        loop["cycle"] = .function(Function(name: "cycle") { args, interpreter, line in
            guard !args.positional.isEmpty else { throw interpreter.error("no items for cycling given", line: line) }
            return args.positional[index % args.positional.count]
        })
        return .object(loop)
    }

    private func makeMacro(name: String, parameters: [(String, Expr?)], body: [Stmt]) -> Function {
        Function(name: name) { args, interpreter, line in
            guard args.positional.count <= parameters.count else {
                throw interpreter.error("macro '\(name)' takes \(parameters.count) arguments, got \(args.positional.count)", line: line)
            }
            let child = Scope(parent: interpreter.globalTemplateScope)
            for (i, (parameter, defaultExpr)) in parameters.enumerated() {
                if let value = args.value(i, parameter) {
                    child.set(parameter, value)
                } else if let defaultExpr {
                    child.set(parameter, try interpreter.evaluate(defaultExpr))
                } else {
                    child.set(parameter, .undefined(hint: "parameter '\(parameter)' was not provided"))
                }
            }
            for (key, _) in args.keywords where !parameters.contains(where: { $0.0 == key }) {
                throw interpreter.error("macro '\(name)' has no parameter named '\(key)'", line: line)
            }
            guard interpreter.callDepth < Interpreter.maxCallDepth else {
                throw interpreter.error("macro '\(name)' recurses too deeply", line: line)
            }
            interpreter.callDepth += 1
            defer { interpreter.callDepth -= 1 }
            return .string(try interpreter.capture(body, in: child))
        }
    }

    /// The template's top-level scope (the render context plus top-level sets), where macros run.
    var globalTemplateScope: Scope {
        var s = scope
        while let parent = s.parent, parent !== globals { s = parent }
        return s
    }

    // MARK: Iteration

    /// What a `for` loop sees: list items, dict keys, string characters; nothing for undefined.
    func iterate(_ value: Value, line: Int) throws -> [Value] {
        switch value {
        case .undefined: return []
        case .array(let items): return items
        case .object(let o): return o.keys.map { .string($0) }
        case .string(let s):
            try tick(line, s.utf8.count >> 2)
            return s.unicodeScalars.map { .string(String($0)) }
        case .namespace(let ns): return ns.attributes.keys.map { .string($0) }
        default: throw error("'\(value.typeName)' object is not iterable", line: line)
        }
    }
}

extension Stmt {
    /// The template line a statement starts on (0 when none is recorded).
    var line: Int {
        switch self {
        case .text(_, let line): return line
        case .output(let expr): return expr.line
        case .ifChain(let branches, _): return branches.first?.0.line ?? 0
        case .forLoop(_, _, _, _, _, let line), .set(_, _, let line), .setBlock(_, _, _, let line): return line
        case .macro: return 0
        case .filterBlock(let filter, _): return filter.line
        case .breakLoop(let line), .continueLoop(let line): return line
        }
    }
}
