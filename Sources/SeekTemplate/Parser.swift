/// Builds statements and expressions from tokens, following jinja2's grammar and operator precedence
/// (filters and tests bind tighter than arithmetic: `'a' + x | trim` trims only `x`).
struct Parser {
    private let tokens: [Token]
    private var index = 0
    /// Nesting of blocks and sub-expressions; a bound keeps hostile templates from exhausting the stack.
    private var depth = 0
    private static let maxDepth = TemplateBudget.maxParserDepth

    static func parse(_ tokens: [Token]) throws -> [Stmt] {
        var parser = Parser(tokens: tokens)
        let (body, _) = try parser.parseBody(until: [], opener: nil)
        return body
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    // MARK: Token helpers

    private var current: Token { tokens[index] }
    private var line: Int { current.line }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isOp(_ op: String) -> Bool { current.kind == .op(op) }
    private func isName(_ name: String) -> Bool { current.kind == .name(name) }
    private func peekKind(_ offset: Int) -> TokenKind {
        tokens[min(index + offset, tokens.count - 1)].kind
    }

    private func fail(_ message: String, line: Int? = nil) -> TemplateError {
        TemplateError(message: message, line: line ?? self.line)
    }

    private static func describe(_ kind: TokenKind) -> String {
        switch kind {
        case .text: return "text"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string(let s): return "string '\(s)'"
        case .integer(let i): return "'\(i)'"
        case .float(let d): return "'\(d)'"
        case .op(let o): return "'\(o)'"
        case .end: return "end of template"
        }
    }

    private mutating func expectOp(_ op: String) throws {
        guard isOp(op) else { throw fail("expected '\(op)', got \(Parser.describe(current.kind))") }
        _ = advance()
    }

    private mutating func expectName() throws -> String {
        guard case .name(let name) = current.kind else {
            throw fail("expected a name, got \(Parser.describe(current.kind))")
        }
        _ = advance()
        return name
    }

    private mutating func expectKeyword(_ word: String) throws {
        guard isName(word) else { throw fail("expected '\(word)', got \(Parser.describe(current.kind))") }
        _ = advance()
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else {
            throw fail("expected '%}', got \(Parser.describe(current.kind))")
        }
        _ = advance()
    }

    // MARK: Statements

    /// Statements up to one of the `until` tags; returns which one ended the body (its name consumed,
    /// the rest of its tag not). `opener` names the open block for "never closed" errors.
    private mutating func parseBody(until ends: Set<String>, opener: (tag: String, line: Int)?) throws -> ([Stmt], String?) {
        try enter()
        defer { depth -= 1 }
        var body: [Stmt] = []
        while true {
            let token = advance()
            switch token.kind {
            case .text(let text):
                body.append(.text(text, line: token.line))
            case .variableBegin:
                let expr = try parseExpression()
                guard current.kind == .variableEnd else {
                    throw fail("expected '}}', got \(Parser.describe(current.kind))")
                }
                _ = advance()
                body.append(.output(expr))
            case .blockBegin:
                guard case .name(let tag) = current.kind else {
                    throw fail("expected a tag name after '{%', got \(Parser.describe(current.kind))")
                }
                if ends.contains(tag) {
                    _ = advance()
                    return (body, tag)
                }
                body.append(try parseStatement(tag))
            case .end:
                if let opener {
                    let closer = ends.first { $0.hasPrefix("end") } ?? "end\(opener.tag)"
                    throw fail("'\(opener.tag)' block is never closed: expected '{% \(closer) %}'", line: opener.line)
                }
                return (body, nil)
            default:
                throw fail("unexpected \(Parser.describe(token.kind))", line: token.line)
            }
        }
    }

    private static let endTags: Set<String> = [
        "endif", "elif", "else", "endfor", "endset", "endmacro", "endfilter", "endgeneration", "endraw",
    ]

    private mutating func parseStatement(_ tag: String) throws -> Stmt {
        let tagLine = line
        _ = advance()
        switch tag {
        case "if": return try parseIf(line: tagLine)
        case "for": return try parseFor(line: tagLine)
        case "set": return try parseSet(line: tagLine)
        case "macro": return try parseMacro(line: tagLine)
        case "filter":
            let first = try parseFilter(on: try node(.name(blockValuePlaceholder), line: tagLine), line: tagLine)
            let chain = try parseFilterChain(on: first)
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endfilter"], opener: ("filter", tagLine))
            try expectBlockEnd()
            return .filterBlock(chain, body: body)
        case "generation":
            // transformers' AssistantTracker tag: it only marks assistant text, rendering is unchanged.
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"], opener: ("generation", tagLine))
            try expectBlockEnd()
            return .ifChain([(try node(.literal(.bool(true)), line: tagLine), body)], otherwise: [])
        case "break":
            try expectBlockEnd()
            return .breakLoop(line: tagLine)
        case "continue":
            try expectBlockEnd()
            return .continueLoop(line: tagLine)
        default:
            if Parser.endTags.contains(tag) { throw fail("unexpected tag '\(tag)'", line: tagLine) }
            throw fail("unknown tag '\(tag)'", line: tagLine)
        }
    }

    private mutating func parseIf(line: Int) throws -> Stmt {
        var branches: [(Expr, [Stmt])] = []
        var condition = try parseExpression()
        try expectBlockEnd()
        while true {
            let (body, tag) = try parseBody(until: ["elif", "else", "endif"], opener: ("if", line))
            branches.append((condition, body))
            switch tag {
            case "elif":
                condition = try parseExpression()
                try expectBlockEnd()
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try parseBody(until: ["endif"], opener: ("if", line))
                try expectBlockEnd()
                return .ifChain(branches, otherwise: otherwise)
            default:
                try expectBlockEnd()
                return .ifChain(branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(line: Int) throws -> Stmt {
        var targets = [try expectName()]
        while isOp(",") {
            _ = advance()
            targets.append(try expectName())
        }
        try expectKeyword("in")
        let iterable = try parseOr()  // no inline `x if c else y` here: a trailing `if` filters the loop
        var condition: Expr?
        if isName("if") {
            _ = advance()
            condition = try parseExpression()
        }
        if isName("recursive") { throw fail("recursive loops are not supported") }
        try expectBlockEnd()
        let (body, tag) = try parseBody(until: ["else", "endfor"], opener: ("for", line))
        var otherwise: [Stmt] = []
        try expectBlockEnd()
        if tag == "else" {
            (otherwise, _) = try parseBody(until: ["endfor"], opener: ("for", line))
            try expectBlockEnd()
        }
        return .forLoop(targets: targets, iterable: iterable, condition: condition, body: body,
                        otherwise: otherwise, line: line)
    }

    private mutating func parseSet(line: Int) throws -> Stmt {
        let first = try expectName()
        var target = AssignTarget.name(first)
        if isOp(".") {
            _ = advance()
            target = .attribute(object: first, attribute: try expectName())
        } else if isOp(",") {
            var names = [first]
            while isOp(",") {
                _ = advance()
                names.append(try expectName())
            }
            target = .names(names)
        }
        if isOp("=") {
            _ = advance()
            var value = try parseExpression()
            if isOp(",") {  // `set a, b = 1, 2`
                var items = [value]
                while isOp(",") {
                    _ = advance()
                    items.append(try parseExpression())
                }
                value = try node(.list(items), line: line)
            }
            try expectBlockEnd()
            return .set(target, value, line: line)
        }
        var filter: Expr?
        if isOp("|") {
            filter = try parseFilterChain(on: try node(.name(blockValuePlaceholder), line: line))
        }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endset"], opener: ("set", line))
        try expectBlockEnd()
        return .setBlock(target, body: body, filter: filter, line: line)
    }

    private mutating func parseMacro(line: Int) throws -> Stmt {
        let name = try expectName()
        try expectOp("(")
        var parameters: [(String, Expr?)] = []
        while !isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let parameter = try expectName()
            var defaultValue: Expr?
            if isOp("=") {
                _ = advance()
                defaultValue = try parseExpression()
            }
            parameters.append((parameter, defaultValue))
        }
        _ = advance()
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endmacro"], opener: ("macro", line))
        if case .name = current.kind { _ = advance() }  // `{% endmacro name %}`
        try expectBlockEnd()
        return .macro(name: name, parameters: parameters, body: body)
    }

    // MARK: Expressions (lowest precedence first)

    mutating func parseExpression() throws -> Expr {
        var expr = try parseOr()
        while isName("if") {
            let exprLine = line
            _ = advance()
            let test = try parseOr()
            var otherwise: Expr?
            if isName("else") {
                _ = advance()
                otherwise = try parseExpression()
            }
            expr = try node(.conditional(test: test, then: expr, otherwise: otherwise), line: exprLine)
        }
        return expr
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while isName("or") {
            let opLine = line
            _ = advance()
            left = try node(.or(left, try parseAnd()), line: opLine)
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isName("and") {
            let opLine = line
            _ = advance()
            left = try node(.and(left, try parseNot()), line: opLine)
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        var lines: [Int] = []  // `not not … x` is read in a loop, so a long run cannot recurse
        while isName("not") {
            lines.append(line)
            _ = advance()
        }
        var expr = try parseCompare()
        for opLine in lines.reversed() { expr = try node(.not(expr), line: opLine) }
        return expr
    }

    private mutating func parseCompare() throws -> Expr {
        let exprLine = line
        let left = try parseMath1()
        var rest: [(String, Expr)] = []
        while true {
            if case .op(let op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                _ = advance()
                rest.append((op, try parseMath1()))
            } else if isName("in") {
                _ = advance()
                rest.append(("in", try parseMath1()))
            } else if isName("not"), peekKind(1) == .name("in") {
                _ = advance()
                _ = advance()
                rest.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return rest.isEmpty ? left : try node(.compare(left, rest), line: exprLine)
    }

    private mutating func parseBinary(_ ops: Set<String>, next: (inout Parser) throws -> Expr) throws -> Expr {
        var left = try next(&self)
        while case .op(let op) = current.kind, ops.contains(op) {
            let opLine = line
            _ = advance()
            left = try node(.binary(op, left, try next(&self)), line: opLine)
        }
        return left
    }

    private mutating func parseMath1() throws -> Expr { try parseBinary(["+", "-"]) { try $0.parseConcat() } }
    private mutating func parseConcat() throws -> Expr { try parseBinary(["~"]) { try $0.parseMath2() } }
    private mutating func parseMath2() throws -> Expr {
        try parseBinary(["*", "/", "//", "%"]) { try $0.parsePow() }
    }
    private mutating func parsePow() throws -> Expr { try parseBinary(["**"]) { try $0.parseUnary() } }

    /// Every expression node is built here, so no tree can grow deeper than the budget allows (a chain
    /// of 50,000 `~` is a loop in the parser but would be 50,000 levels of recursion to evaluate).
    private func node(_ kind: Expr.Kind, line: Int) throws -> Expr {
        let e = Expr(kind: kind, line: line)
        guard e.depth <= TemplateBudget.maxExpressionDepth else {
            throw fail("the expression nests too deeply (more than \(TemplateBudget.maxExpressionDepth) levels)", line: line)
        }
        return e
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Parser.maxDepth { throw fail("the template nests too deeply (more than \(Parser.maxDepth) levels)") }
    }

    private mutating func parseUnary(withFilters: Bool = true) throws -> Expr {
        try enter()
        defer { depth -= 1 }
        let exprLine = line
        var expr: Expr
        if isOp("-") {
            _ = advance()
            expr = try node(.negate(try parseUnary(withFilters: false)), line: exprLine)
        } else if isOp("+") {
            _ = advance()
            expr = try node(.plus(try parseUnary(withFilters: false)), line: exprLine)
        } else {
            expr = try parsePrimary()
        }
        expr = try parsePostfix(expr)
        if withFilters { expr = try parseFilterChain(on: expr) }
        return expr
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .name(let name):
            _ = advance()
            switch name {
            case "true", "True": return try node(.literal(.bool(true)), line: token.line)
            case "false", "False": return try node(.literal(.bool(false)), line: token.line)
            case "none", "None": return try node(.literal(.none), line: token.line)
            default: return try node(.name(name), line: token.line)
            }
        case .string(var text):
            _ = advance()
            while case .string(let more) = current.kind {  // adjacent literals concatenate
                text += more
                _ = advance()
            }
            return try node(.literal(.string(text)), line: token.line)
        case .integer(let i):
            _ = advance()
            return try node(.literal(.int(i)), line: token.line)
        case .float(let d):
            _ = advance()
            return try node(.literal(.double(d)), line: token.line)
        case .op("("):
            _ = advance()
            if isOp(")") {
                _ = advance()
                return try node(.list([]), line: token.line)
            }
            let first = try parseExpression()
            if isOp(",") {  // a tuple; templates only iterate or index them, so a list serves
                var items = [first]
                while isOp(",") {
                    _ = advance()
                    if isOp(")") { break }
                    items.append(try parseExpression())
                }
                try expectOp(")")
                return try node(.list(items), line: token.line)
            }
            try expectOp(")")
            return first
        case .op("["):
            _ = advance()
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty {
                    try expectOp(",")
                    if isOp("]") { break }
                }
                items.append(try parseExpression())
            }
            _ = advance()
            return try node(.list(items), line: token.line)
        case .op("{"):
            _ = advance()
            var pairs: [(Expr, Expr)] = []
            while !isOp("}") {
                if !pairs.isEmpty {
                    try expectOp(",")
                    if isOp("}") { break }
                }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            _ = advance()
            return try node(.dict(pairs), line: token.line)
        case .variableEnd, .blockEnd, .end:
            throw fail("expected an expression, got \(Parser.describe(token.kind))")
        default:
            throw fail("unexpected \(Parser.describe(token.kind))")
        }
    }

    private mutating func parsePostfix(_ base: Expr) throws -> Expr {
        var expr = base
        while true {
            let opLine = line
            if isOp(".") {
                _ = advance()
                switch current.kind {
                case .name(let name):
                    _ = advance()
                    expr = try node(.attribute(expr, name), line: opLine)
                case .integer(let i):
                    _ = advance()
                    expr = try node(.index(expr, try node(.literal(.int(i)), line: opLine)), line: opLine)
                default:
                    throw fail("expected an attribute name after '.', got \(Parser.describe(current.kind))")
                }
            } else if isOp("[") {
                _ = advance()
                expr = try parseSubscript(expr, line: opLine)
            } else if isOp("(") {
                expr = try parseCall(expr)
            } else {
                return expr
            }
        }
    }

    private mutating func parseSubscript(_ base: Expr, line: Int) throws -> Expr {
        var start: Expr?
        if !isOp(":") {
            start = try parseExpression()
            if isOp("]") {
                _ = advance()
                return try node(.index(base, start!), line: line)
            }
        }
        try expectOp(":")
        var stop: Expr?
        var step: Expr?
        if !isOp("]") && !isOp(":") { stop = try parseExpression() }
        if isOp(":") {
            _ = advance()
            if !isOp("]") { step = try parseExpression() }
        }
        try expectOp("]")
        return try node(.slice(base, start: start, stop: stop, step: step), line: line)
    }

    private mutating func parseArguments() throws -> ([Expr], [(String, Expr)]) {
        try expectOp("(")
        var positional: [Expr] = []
        var keywords: [(String, Expr)] = []
        while !isOp(")") {
            if !positional.isEmpty || !keywords.isEmpty {
                try expectOp(",")
                if isOp(")") { break }
            }
            if case .name(let name) = current.kind, peekKind(1) == .op("=") {
                _ = advance()
                _ = advance()
                keywords.append((name, try parseExpression()))
            } else {
                if !keywords.isEmpty { throw fail("positional argument after keyword argument") }
                positional.append(try parseExpression())
            }
        }
        _ = advance()
        return (positional, keywords)
    }

    private mutating func parseCall(_ callee: Expr) throws -> Expr {
        let callLine = line
        let (positional, keywords) = try parseArguments()
        return try node(.call(callee, positional, keywords), line: callLine)
    }

    /// `| filter(args)`, `is [not] test [arg]` and calls, in any order after a unary expression.
    private mutating func parseFilterChain(on base: Expr) throws -> Expr {
        var expr = base
        while true {
            let opLine = line
            if isOp("|") {
                _ = advance()
                expr = try parseFilter(on: expr, line: opLine)
            } else if isName("is") {
                _ = advance()
                var negated = false
                if isName("not") {
                    _ = advance()
                    negated = true
                }
                let name = try expectName()
                var arguments: [Expr] = []
                if isOp("(") {
                    arguments = try parseArguments().0
                } else if startsTestArgument {
                    arguments = [try parsePostfix(try parsePrimary())]
                }
                expr = try node(.test(expr, name: name, arguments, negated: negated), line: opLine)
            } else if isOp("(") {
                expr = try parseCall(expr)
            } else {
                return expr
            }
        }
    }

    /// One filter after its `|`: a (dotted) name and optional arguments.
    private mutating func parseFilter(on base: Expr, line: Int) throws -> Expr {
        var name = try expectName()
        while isOp(".") {
            _ = advance()
            name += "." + (try expectName())
        }
        var positional: [Expr] = []
        var keywords: [(String, Expr)] = []
        if isOp("(") { (positional, keywords) = try parseArguments() }
        return try node(.filter(base, name: name, positional, keywords), line: line)
    }

    /// jinja2 lets a test take one argument without parentheses: `x is divisibleby 3`.
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and", "if", "in", "not", "is"].contains(n)
        case .string, .integer, .float, .op("["), .op("{"): return true
        default: return false
        }
    }
}
