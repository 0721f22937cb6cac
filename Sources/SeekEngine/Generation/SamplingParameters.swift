/// How the next token is chosen from the logits. The defaults follow llama.cpp's.
public struct SamplingParameters: Sendable, Equatable {
    /// Softmax temperature; 0 means greedy (the highest logit, ties to the lowest id).
    public var temperature: Float = 0.8
    /// Keep only the k most likely tokens; 0 turns the filter off.
    public var topK: Int = 40
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 turns it off.
    public var topP: Float = 0.95
    /// Drop tokens less likely than min_p times the most likely one; 0 turns it off.
    public var minP: Float = 0.05
    /// Penalty for tokens seen in the last `repeatLastN` tokens (1 turns it off), as llama.cpp and
    /// Hugging Face apply it: positive logits are divided by it, negative ones multiplied.
    public var repeatPenalty: Float = 1.0
    /// How many of the most recent tokens (prompt included) the repeat penalty looks at.
    public var repeatLastN: Int = 64
    /// Seed of the random stream: the same seed gives the same tokens.
    public var seed: UInt64 = 0

    public init() {}

    public var isGreedy: Bool { temperature <= 0 }
}
