import Foundation
import SeekEngine
import SeekServer
import SeekTemplate
import SeekTokenizer
import XCTest

/// The served model of the tests: tiny-chat's real DeepSeek tokenizer and chat template from
/// ../shared/fixtures/tiny-chat, over a scripted predictor instead of weights.
final class TinyChatModel: ServedModel, @unchecked Sendable {  // immutable after init
    let name = "tiny"
    let contextSize: Int
    let tokenizer: Tokenizer
    let template: ChatTemplate
    let stopTokenIds: Set<Int>
    var defaultSampling: SamplingParameters {
        var parameters = SamplingParameters()
        parameters.temperature = 0  // greedy unless a request says otherwise: replies follow the script
        return parameters
    }
    let defaultMaxTokens: Int? = nil

    init(contextSize: Int = 512) throws {
        let folder = try TestFixtures.tinyChat()
        tokenizer = try Tokenizer(folder: folder)
        guard let source = tokenizer.chatTemplate else { throw TestFailure("tiny-chat has no chat template") }
        template = try ChatTemplate(source: source)
        stopTokenIds = Set([tokenizer.eosTokenId].compactMap { $0 })
        self.contextSize = contextSize
    }

    func chatPromptIds(_ messages: [ChatMessage]) throws -> [Int] {
        let text = try template.render(messages: messages.map { ["role": $0.role, "content": $0.content] },
                                       addGenerationPrompt: true, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
        return tokenizer.encode(text, addSpecialTokens: false)
    }

    func textPromptIds(_ text: String) -> [Int] {
        tokenizer.encode(text, addSpecialTokens: true)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum TestFixtures {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// ../shared/fixtures/tiny-chat; fails the test (never skips) when the shared data is missing.
    static func tinyChat(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tiny-chat").path
        guard FileManager.default.fileExists(atPath: path + "/tokenizer.json") else {
            XCTFail("missing fixture \(path): the server tests need ../shared/fixtures", file: file, line: line)
            throw TestFailure("missing fixture \(path)")
        }
        return path
    }
}
