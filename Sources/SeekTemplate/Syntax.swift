/// The parsed template: statements holding expressions, each with the line it came from so runtime
/// errors can name it.
struct Expr {
    indirect enum Kind {
        case literal(Value)
        case name(String)
        case list([Expr])
        case dict([(Expr, Expr)])
        case attribute(Expr, String)
        case index(Expr, Expr)
        case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
        case call(Expr, [Expr], [(String, Expr)])
        case filter(Expr, name: String, [Expr], [(String, Expr)])
        case test(Expr, name: String, [Expr], negated: Bool)
        case not(Expr)
        case negate(Expr)
        case plus(Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        case binary(String, Expr, Expr)          // + - * / // % ** ~
        case compare(Expr, [(String, Expr)])     // == != < > <= >= in "not in", chained like Python
        case conditional(test: Expr, then: Expr, otherwise: Expr?)
    }
    let kind: Kind
    let line: Int
    /// Levels of expressions in this tree (1 for a leaf). The parser refuses trees deeper than
    /// `TemplateBudget.maxExpressionDepth`, so evaluating (and freeing) one never recurses without bound.
    let depth: Int

    init(kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
        var deepest = 0
        func see(_ e: Expr?) { if let e, e.depth > deepest { deepest = e.depth } }
        switch kind {
        case .literal, .name: break
        case .list(let items): items.forEach(see)
        case .dict(let pairs): pairs.forEach { see($0.0); see($0.1) }
        case .attribute(let base, _): see(base)
        case .index(let a, let b): see(a); see(b)
        case .slice(let base, let start, let stop, let step): see(base); see(start); see(stop); see(step)
        case .call(let callee, let positional, let keywords): see(callee); positional.forEach(see); keywords.forEach { see($0.1) }
        case .filter(let base, _, let positional, let keywords): see(base); positional.forEach(see); keywords.forEach { see($0.1) }
        case .test(let base, _, let arguments, _): see(base); arguments.forEach(see)
        case .not(let e), .negate(let e), .plus(let e): see(e)
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): see(a); see(b)
        case .compare(let first, let rest): see(first); rest.forEach { see($0.1) }
        case .conditional(let test, let then, let otherwise): see(test); see(then); see(otherwise)
        }
        depth = deepest + 1
    }
}

/// Where `{% set %}` stores a value.
enum AssignTarget {
    case name(String)
    case attribute(object: String, attribute: String)  // ns.attr on a namespace
    case names([String])                               // a, b = ...
}

indirect enum Stmt {
    case text(String, line: Int)
    case output(Expr)
    case ifChain([(Expr, [Stmt])], otherwise: [Stmt])
    case forLoop(targets: [String], iterable: Expr, condition: Expr?, body: [Stmt], otherwise: [Stmt], line: Int)
    case set(AssignTarget, Expr, line: Int)
    /// `{% set x %}…{% endset %}`; `filter` is a filter chain applied to the name `blockValuePlaceholder`.
    case setBlock(AssignTarget, body: [Stmt], filter: Expr?, line: Int)
    case macro(name: String, parameters: [(String, Expr?)], body: [Stmt])
    /// `{% filter upper %}…{% endfilter %}`, same placeholder scheme as setBlock.
    case filterBlock(Expr, body: [Stmt])
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}

/// The name a block's rendered text is bound to while its filter chain runs.
let blockValuePlaceholder = " block "
