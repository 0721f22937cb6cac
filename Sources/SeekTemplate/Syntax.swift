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
}

/// Where `{% set %}` stores a value.
enum AssignTarget {
    case name(String)
    case attribute(object: String, attribute: String)  // ns.attr on a namespace
    case names([String])                               // a, b = ...
}

indirect enum Stmt {
    case text(String)
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
