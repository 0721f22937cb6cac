import Foundation
import SeekChat
import SeekEngine
import SeekServer
import SeekTemplate
import SeekTokenizer

/// The served model of the tests and the fixture server: tiny-chat's real DeepSeek tokenizer and chat template from
/// ../shared/fixtures/tiny-chat, over a scripted predictor instead of weights.
public final class TinyChatModel: ServedModel, @unchecked Sendable {  // immutable after init
    public let name = "tiny"
    public let contextSize: Int
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    public let stopTokenIds: Set<Int>
    public var defaultSampling: SamplingParameters {
        var parameters = SamplingParameters()
        parameters.temperature = 0  // greedy unless a request says otherwise: replies follow the script
        return parameters
    }
    public let defaultMaxTokens: Int? = nil
    public let transcripts: ChatTranscriptMemory

    /// `folder`: ../shared/fixtures/tiny-chat.
    public init(folder: String, contextSize: Int = 512) throws {
        tokenizer = try Tokenizer(folder: folder)
        guard let source = tokenizer.chatTemplate else { throw ScriptedFailure("\(folder) has no chat template") }
        template = try ChatTemplate(source: source)
        stopTokenIds = Set([tokenizer.eosTokenId].compactMap { $0 })
        self.contextSize = contextSize
        transcripts = ChatTranscriptMemory(tokenizer: tokenizer)
    }

    /// Remembers replies as the real served model does, so a resent conversation reuses their ids.
    public func chatPrompt(_ messages: [ChatMessage]) throws -> (ids: [Int], onReply: ReplyObserver?) {
        let prompt = try transcripts.prompt(forRendered: try renderedChat(messages))
        return (prompt.ids, { [transcripts] ids, text in transcripts.remember(prompt, replyIds: ids, replyText: text) })
    }

    /// The conversation as the chat template renders it, with the assistant's turn opened.
    public func renderedChat(_ messages: [ChatMessage]) throws -> String {
        try template.render(messages: messages.map { ["role": $0.role, "content": $0.content] },
                            addGenerationPrompt: true, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
    }

    public func textPromptIds(_ text: String) throws -> [Int] {
        try tokenizer.encode(text, addSpecialTokens: true)
    }
}

