import SeekChat
import SeekTemplate
import XCTest

/// Prompt formatting on tiny-chat's real tokenizer with hand-written templates.
final class PromptFormatterTests: XCTestCase {
    /// A template that renders nothing for a conversation is named, not run as an empty prompt.
    func testATemplateThatRendersNothingIsNamed() throws {
        let tokenizer = try ChatFixture.tokenizer()
        let template = try ChatTemplate(source: "{% for m in messages %}{% if false %}{{ m.content }}{% endif %}{% endfor %}",
                                        name: "the registry's chat template for quiet")
        let formatter = PromptFormatter(tokenizer: tokenizer, template: template)
        var conversation = Conversation()
        conversation.messages.append(.init(role: "user", content: "Hello"))
        XCTAssertThrowsError(try formatter.chatIds(conversation)) { error in
            XCTAssertEqual(error as? ChatError, .templateRenderedNothing(template: "the registry's chat template for quiet"))
            XCTAssertEqual("\(error)", "the registry's chat template for quiet: rendered nothing for this conversation")
        }
        // The same formatter with a template that writes the message works.
        let speaking = PromptFormatter(tokenizer: tokenizer, template: try ChatTemplate(source: "{{ messages[0].content }}"))
        XCTAssertEqual(try speaking.chatIds(conversation), try tokenizer.encode("Hello", addSpecialTokens: false))
    }
}
