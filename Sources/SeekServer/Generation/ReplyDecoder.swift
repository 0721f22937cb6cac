import SeekEngine
import SeekTokenizer

/// Turns one request's logits rows into tokens and text: penalties, logprobs, the sampler, end-of-
/// sequence ids, the token limit, whole UTF-8 characters and stop strings. One per running request; the
/// scheduler feeds it the row of each step its sequence took part in.
struct ReplyDecoder {
    /// What one sampled token did.
    struct Step {
        var text: String
        var logprobs: [ChosenTokenLogprob]
        /// Set when the reply is over; the token (if any) must not be fed to the model.
        var finish: GenerationFinish?
        /// The token to feed next when the reply goes on.
        var token: Int
    }

    private let model: any ServedModel
    private let stopTokenIds: Set<Int>
    private let request: GenerationRequest
    private var sampler: Sampler
    private var adjustments: LogitAdjustments
    private var detokenizer: StreamingDetokenizer
    private var stops: StopSequences
    private var history: [Int]
    /// Tokens whose log probabilities wait for text to attach to (a character split across tokens).
    private var pendingLogprobs: [ChosenTokenLogprob] = []
    private(set) var generated = 0
    /// The reply's token ids so far (end-of-sequence excluded), for `return_token_ids`.
    private(set) var replyIds: [Int] = []

    init(request: GenerationRequest, model: any ServedModel) {
        self.model = model
        stopTokenIds = model.stopTokenIds
        self.request = request
        sampler = Sampler(request.sampling)
        adjustments = LogitAdjustments(presence: request.presencePenalty, frequency: request.frequencyPenalty)
        detokenizer = StreamingDetokenizer(tokenizer: model.tokenizer, skipSpecialTokens: true)
        stops = StopSequences(request.stop)
        history = request.promptIds
    }

    /// Samples the next token from `logits` (the row after the last token fed).
    mutating func next(logits: [Float]) -> Step {
        var logits = logits
        adjustments.apply(to: &logits)
        let token = sampler.sample(logits: logits, recentTokens: history)
        // End-of-sequence is not part of the reply: no text, no logprob, not counted.
        if stopTokenIds.contains(token) { return finishing(.stop, token: token) }
        if let top = request.topLogprobs {
            let distribution = LogSoftmax(logits)
            let alternatives = distribution.top(top).map { entry in describe(entry.token, logprob: entry.logprob) }
            pendingLogprobs.append(ChosenTokenLogprob(chosen: describe(token, logprob: distribution.logprob(of: token)),
                                                      top: alternatives))
        }
        generated += 1
        replyIds.append(token)
        history.append(token)
        adjustments.record(token)
        let text = stops.append(detokenizer.append(token))
        if stops.isStopped { return finishing(.stop, token: token, text: text) }
        if let limit = request.maxTokens, generated >= limit { return finishing(.length, token: token, text: text) }
        return Step(text: text, logprobs: takeLogprobs(whenTextIsEmpty: text.isEmpty), finish: nil, token: token)
    }

    /// Ends the reply for a reason found outside the logits (the context is full, cancellation); returns
    /// the text still held back.
    mutating func finish(_ reason: GenerationFinish) -> Step {
        finishing(reason, token: -1)
    }

    private mutating func finishing(_ reason: GenerationFinish, token: Int, text: String = "") -> Step {
        var text = text
        if !stops.isStopped && reason != .cancelled {
            text += stops.append(detokenizer.finish())
            text += stops.finish()
        }
        let logprobs = pendingLogprobs
        pendingLogprobs.removeAll()
        return Step(text: text, logprobs: logprobs, finish: reason, token: token)
    }

    /// Log probabilities go out with the text their tokens completed, so a client that joins the chunks'
    /// tokens gets the text back; a token that completes no text yet waits for the next.
    private mutating func takeLogprobs(whenTextIsEmpty empty: Bool) -> [ChosenTokenLogprob] {
        guard !empty else { return [] }
        defer { pendingLogprobs.removeAll() }
        return pendingLogprobs
    }

    private func describe(_ token: Int, logprob: Double) -> TokenLogprob {
        let text = model.tokenizer.decode([token], skipSpecialTokens: false)
        return TokenLogprob(token: text, logprob: logprob, bytes: Array(text.utf8))
    }
}
