/// How much work one render may do. A chat template is code from a downloaded file: these bounds make
/// a hostile or broken one fail with a `TemplateError` naming its line, instead of running for hours,
/// filling memory or overflowing the stack. Real templates use a tiny fraction (see `TemplateUsage`).
public struct TemplateBudget: Sendable, Equatable {
    /// Expressions evaluated and statements run, 8 per loop iteration, plus one step per 64 bytes of text
    /// or 4 list items a step creates (so copying big values costs what it takes).
    public var maxSteps: Int
    /// Bytes of rendered text (and of any block captured by `set` or a macro).
    public var maxOutputBytes: Int
    /// Recursion of the evaluator: nested expressions, statements and macro calls together.
    public var maxDepth: Int

    public init(maxSteps: Int = 1_000_000, maxOutputBytes: Int = 16 << 20, maxDepth: Int = 600) {
        self.maxSteps = maxSteps
        self.maxOutputBytes = maxOutputBytes
        self.maxDepth = maxDepth
    }

    public static let `default` = TemplateBudget()

    /// Fixed limits of the parser and of values, the same for every render.
    /// Nested brackets and blocks in the source.
    static let maxParserDepth = 100
    /// Levels of one expression tree (`a ~ b ~ c …` is one level per operator).
    static let maxExpressionDepth = 200
    /// The longest string a template may build.
    static let maxTextBytes = 16 << 20
    /// The longest list a template may build.
    static let maxItems = 1 << 20
    /// Lists and dicts inside each other, in values a template builds or is given.
    static let maxValueDepth = 128
    /// Steps one loop iteration costs (it builds the `loop` object).
    static let stepsPerIteration = 8
}

/// What one render used, to compare with its `TemplateBudget`.
public struct TemplateUsage: Sendable, Equatable {
    public var steps = 0
    public var outputBytes = 0
    /// The deepest the evaluator recursed.
    public var depth = 0
}
