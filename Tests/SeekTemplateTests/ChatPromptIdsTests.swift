import Foundation
import SeekTemplate
import SeekTokenizer
import XCTest

/// Template and tokenizer together: rendering then tokenizing (no BOS added — the template writes it)
/// gives exactly the ids transformers produced.
final class ChatPromptIdsTests: XCTestCase {
    func testChatCasesTokenizeToOracleIds() throws {
        guard let tokenizerFile = SharedData.path("tokenizer/tokenizer.json"),
              let configFile = SharedData.path("tokenizer/tokenizer_config.json"),
              let text = SharedData.text("tokenizer/chat_cases.jsonl") else { return }
        let tokenizer = try Tokenizer(tokenizerFile: tokenizerFile, configFile: configFile)
        var checked = 0
        for (index, line) in text.split(separator: "\n").enumerated() {
            let fields = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try XCTUnwrap(fields["template"] as? String)
            guard let source = SharedData.text("tokenizer/templates/\(name).jinja") else { return }
            let rendered = try ChatTemplate(source: source).render(contextJSON: String(line))
            let expected = try XCTUnwrap(fields["ids"] as? [Int])
            XCTAssertEqual(try tokenizer.encode(rendered, addSpecialTokens: false), expected, "case \(index) (\(name))")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30)
    }

    /// tiny-chat's chat conversations: its own tokenizer_config template + tokenizer give prompt_ids.
    func testTinyChatConversationsGivePromptIds() throws {
        guard let folder = SharedData.path("fixtures/tiny-chat"),
              let reference = SharedData.json("fixtures/tiny-chat/reference.json") as? [String: Any] else { return }
        let tokenizer = try Tokenizer(folder: folder)
        let template = try ChatTemplate(source: try XCTUnwrap(tokenizer.chatTemplate))
        let chats = (reference["text_cases"] as? [[String: Any]] ?? []).filter { $0["mode"] as? String == "chat" }
        XCTAssertGreaterThan(chats.count, 0)
        for chat in chats {
            let rendered = try template.render(messages: try XCTUnwrap(chat["messages"] as? [[String: Any]]),
                                               addGenerationPrompt: true, bosToken: tokenizer.bosToken,
                                               eosToken: tokenizer.eosToken)
            XCTAssertEqual(try tokenizer.encode(rendered, addSpecialTokens: false), chat["prompt_ids"] as? [Int])
        }
    }
}
