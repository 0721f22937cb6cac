import Foundation
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

    /// `folder`: ../shared/fixtures/tiny-chat.
    public init(folder: String, contextSize: Int = 512) throws {
        tokenizer = try Tokenizer(folder: folder)
        guard let source = tokenizer.chatTemplate else { throw ScriptedFailure("\(folder) has no chat template") }
        template = try ChatTemplate(source: source)
        stopTokenIds = Set([tokenizer.eosTokenId].compactMap { $0 })
        self.contextSize = contextSize
    }

    public func chatPromptIds(_ messages: [ChatMessage]) throws -> [Int] {
        let text = try template.render(messages: messages.map { ["role": $0.role, "content": $0.content] },
                                       addGenerationPrompt: true, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
        return tokenizer.encode(text, addSpecialTokens: false)
    }

    public func textPromptIds(_ text: String) -> [Int] {
        tokenizer.encode(text, addSpecialTokens: true)
    }
}

