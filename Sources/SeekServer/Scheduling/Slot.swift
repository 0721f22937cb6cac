import SeekEngine

/// One of the server's `--parallel` sequences: its KV cache (the ids in it) and the request it runs.
final class Slot {
    enum Phase {
        case idle
        /// Computing the prompt from `position` on, in chunks interleaved with other slots' decoding.
        case prefilling(position: Int)
        /// Generating; `nextToken` is fed in the next forward pass.
        case decoding(nextToken: Int)
    }

    let index: Int
    let sequence: SequenceID
    /// The ids whose keys and values are in the sequence's cache, in order.
    var cachedIds: [Int] = []
    var phase = Phase.idle
    var job: Job?
    /// When the slot last finished a request: among equally good idle slots the least recently used
    /// one is taken, so a cache another conversation may come back to survives longer.
    var lastUsed = ContinuousClock.now

    init(index: Int, sequence: SequenceID) {
        self.index = index
        self.sequence = sequence
    }

    var isIdle: Bool { job == nil }
}

/// A request running on (or waiting for) a slot.
final class Job {
    let request: GenerationRequest
    let handle: GenerationHandle
    var decoder: ReplyDecoder
    var cachedTokens = 0
    /// The reply's text sent to the client so far.
    var sentText = ""
    var admitted: ContinuousClock.Instant?
    var firstToken: ContinuousClock.Instant?
    var lastToken: ContinuousClock.Instant?

    init(request: GenerationRequest, handle: GenerationHandle, decoder: ReplyDecoder) {
        self.request = request
        self.handle = handle
        self.decoder = decoder
    }
}

extension Slot {
    /// How many leading ids of `prompt` the slot's cache already holds.
    func commonPrefixLength(with prompt: [Int]) -> Int {
        var common = 0
        let bound = min(cachedIds.count, prompt.count)
        while common < bound, cachedIds[common] == prompt[common] { common += 1 }
        return common
    }

    /// The idle slot a prompt should go to: the one whose cache shares the longest prefix with it (ties:
    /// the least recently used). A match covering less than half the prompt and less than half the
    /// slot's cache (a shared chat-template opening, say) is no reason to overwrite a conversation
    /// another client may come back to: then an empty slot, else the least recently used one, is
    /// taken. (A short chat's next turn covers most of its slot's cache, though not half its prompt.)
    static func best(for prompt: [Int], among slots: [Slot]) -> Slot? {
        let idle = slots.filter(\.isIdle)
        let matched = idle.map { (slot: $0, common: $0.commonPrefixLength(with: prompt)) }
        if let best = matched.max(by: { a, b in
            a.common != b.common ? a.common < b.common : a.slot.lastUsed > b.slot.lastUsed
        }), best.common > 0, best.common * 2 >= prompt.count || best.common * 2 >= best.slot.cachedIds.count {
            return best.slot
        }
        return idle.min { a, b in
            if a.cachedIds.isEmpty != b.cachedIds.isEmpty { return a.cachedIds.isEmpty }
            return a.lastUsed < b.lastUsed
        }
    }
}
