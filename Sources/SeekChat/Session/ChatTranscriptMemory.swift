import Foundation
import SeekTokenizer

/// The transcripts of the last few chat replies a server gave (each prompt's ids and text, then the
/// reply's generated ids), so that a client resending the whole conversation gets the ids a
/// `ChatSession` would have computed: the earlier replies as generated, and only the text the template
/// added since tokenized. Re-tokenizing a reply's text would often give other ids than the generated
/// ones, and so another continuation than the local chat's.
///
/// Safe to use from several threads.
public final class ChatTranscriptMemory: @unchecked Sendable {  // `entries` is guarded by `lock`
    private let tokenizer: Tokenizer
    private let capacity: Int
    private let lock = NSLock()
    /// Least recently used first.
    private var entries: [ChatTranscript] = []

    /// `capacity`: the transcripts kept (the least recently used leaves first).
    public init(tokenizer: Tokenizer, capacity: Int = 16) {
        precondition(capacity >= 1)
        self.tokenizer = tokenizer
        self.capacity = capacity
    }

    /// The prompt for a rendered conversation: the remembered transcript with the longest text that
    /// `ChatTranscript.extend(to:)` accepts (its text, then its reply, start the rendering), extended by
    /// the rest; else the rendering tokenized whole. As in `ChatSession`, a conversation whose last
    /// reply was cut by a stop string (its ids do not spell its text) is tokenized whole.
    public func prompt(forRendered rendered: String) throws(TokenizerError) -> ChatTranscript {
        // Tokenizing happens outside the lock: other requests need not wait for it.
        let candidates = lock.withLock { entries }.sorted { $0.text.utf8.count > $1.text.utf8.count }
        for candidate in candidates {
            if !candidate.canExtend, rendered.utf8.starts(with: candidate.text.utf8) { break }
            var prompt = candidate
            guard try prompt.extend(to: rendered) else { continue }
            lock.withLock {  // used: the last to leave
                if let index = entries.firstIndex(where: { $0.ids == candidate.ids && $0.text == candidate.text }) {
                    entries.append(entries.remove(at: index))
                }
            }
            return prompt
        }
        return try ChatTranscript(rendered: rendered, tokenizer: tokenizer)
    }

    /// Remembers `prompt` followed by its reply: the generated ids (end-of-sequence excluded) and the
    /// reply's text as sent. A reply that showed no text is not kept (a chat takes such a turn back).
    public func remember(_ prompt: ChatTranscript, replyIds: [Int], replyText: String) {
        guard !replyIds.isEmpty, !replyText.isEmpty else { return }
        var transcript = prompt
        transcript.appendReply(replyIds, content: ChatTranscript.content(ofReply: replyText))
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll { $0.ids == transcript.ids && $0.text == transcript.text }
        entries.append(transcript)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// Transcripts remembered now.
    public var count: Int { lock.withLock { entries.count } }
}
