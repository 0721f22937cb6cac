/// The steps the regex matcher may take over one text: a fixed allowance plus an amount per scalar of
/// the text. A backtracking matcher can take exponential time on a pattern such as `(a|a)*c`; with the
/// budget, a hostile tokenizer.json fails in time linear in the text instead of hanging. Real
/// pre-tokenizer patterns (GPT-2, DeepSeek, Llama-3, Qwen) stay far below it.
struct RegexStepBudget {
    /// Steps any text may take, however short.
    static let baseSteps = 1_000_000
    /// Steps allowed per scalar of the text, on top of `baseSteps`. Real patterns take up to about 30
    /// (the alternatives tried before the one that matches); a megabyte of text that exhausts it takes
    /// a few seconds, not forever.
    static let stepsPerScalar = 1024
    /// Backtracking points one match may hold open (40 bytes each): beyond them the match fails as if
    /// out of steps, so memory stays bounded too.
    static let maxChoicePoints = 1 << 22

    /// The budget's size, for messages and measurements.
    let limit: Int
    /// Steps left; below zero means exhausted.
    var remaining: Int

    /// The budget for a text of `scalars` Unicode scalars.
    init(scalars: Int) {
        let perScalar = scalars.multipliedReportingOverflow(by: Self.stepsPerScalar)
        let total = Self.baseSteps.addingReportingOverflow(perScalar.partialValue)
        limit = perScalar.overflow || total.overflow ? Int.max : total.partialValue
        remaining = limit
    }

    /// Steps taken so far.
    var used: Int { limit - max(remaining, 0) }

    /// The matcher ran out of steps on `pattern`.
    struct Exhausted: Error {
        let pattern: String
    }
}
