import Foundation
import SeekTemplate
import XCTest

/// The oracle: prompts rendered by transformers' `apply_chat_template` (jinja2) for real templates.
final class ChatCasesTests: XCTestCase {
    private func chatCases() -> [(line: String, fields: [String: Any])] {
        guard let text = SharedData.text("tokenizer/chat_cases.jsonl") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                XCTFail("bad line in chat_cases.jsonl: \(line.prefix(80))")
                return nil
            }
            return (String(line), fields)
        }
    }

    /// Each case rendered from its JSON line (key order kept) gives exactly `rendered`.
    func testChatCasesRenderExactly() throws {
        let cases = chatCases()
        XCTAssertGreaterThan(cases.count, 0)
        var templates: [String: ChatTemplate] = [:]
        for (index, (line, fields)) in cases.enumerated() {
            let name = try XCTUnwrap(fields["template"] as? String)
            if templates[name] == nil {
                guard let source = SharedData.text("tokenizer/templates/\(name).jinja") else { return }
                templates[name] = try ChatTemplate(source: source)
            }
            let expected = try XCTUnwrap(fields["rendered"] as? String)
            XCTAssertEqual(try templates[name]!.render(contextJSON: line), expected, "case \(index) (\(name))")
        }
    }

    /// The same through the Swift-dictionary API the CLI uses.
    func testChatCasesThroughDictionaryAPI() throws {
        for (index, (_, fields)) in chatCases().enumerated() {
            let name = try XCTUnwrap(fields["template"] as? String)
            guard let source = SharedData.text("tokenizer/templates/\(name).jinja") else { return }
            let template = try ChatTemplate(source: source)
            let rendered = try template.render(
                messages: try XCTUnwrap(fields["messages"] as? [[String: Any]]),
                addGenerationPrompt: try XCTUnwrap(fields["add_generation_prompt"] as? Bool),
                bosToken: fields["bos_token"] as? String, eosToken: fields["eos_token"] as? String,
                tools: fields["tools"] as? [Any])
            XCTAssertEqual(rendered, fields["rendered"] as? String, "case \(index) (\(name))")
        }
    }

    /// The templates inside the tokenizer configs render the tiny-chat conversations as the oracle's
    /// deepseek-v2 cases do. (reference.json holds only ids for these; the tokenizer side checks them.)
    func testTokenizerConfigTemplatesRenderTinyChatConversations() throws {
        let cases = chatCases()
        guard let reference = SharedData.json("fixtures/tiny-chat/reference.json") as? [String: Any],
              let textCases = reference["text_cases"] as? [[String: Any]] else { return XCTFail("bad reference.json") }
        let conversations = textCases.filter { $0["mode"] as? String == "chat" }
        XCTAssertGreaterThan(conversations.count, 0)
        for configPath in ["tokenizer/tokenizer_config.json", "fixtures/tiny-chat/tokenizer_config.json"] {
            guard let config = SharedData.json(configPath) as? [String: Any] else { return XCTFail("bad \(configPath)") }
            let template = try ChatTemplate(source: try XCTUnwrap(config["chat_template"] as? String))
            var checked = 0
            for conversation in conversations {
                let messages = try XCTUnwrap(conversation["messages"] as? [[String: Any]])
                let oracle = cases.first { _, fields in
                    fields["template"] as? String == "deepseek-v2" && fields["add_generation_prompt"] as? Bool == true
                        && (fields["messages"] as? NSArray) == (messages as NSArray)
                }
                let rendered = try template.render(messages: messages, addGenerationPrompt: true,
                                                   bosToken: "<｜begin▁of▁sentence｜>", eosToken: "<｜end▁of▁sentence｜>")
                XCTAssertTrue(rendered.hasPrefix("<｜begin▁of▁sentence｜>"), configPath)
                if let oracle {
                    XCTAssertEqual(rendered, oracle.fields["rendered"] as? String, configPath)
                    checked += 1
                }
            }
            // Two of the three conversations are also chat_cases; the third is checked by its ids.
            XCTAssertGreaterThanOrEqual(checked, 2, configPath)
        }
    }
}
