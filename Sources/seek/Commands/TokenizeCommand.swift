import ArgumentParser
import Foundation
import SeekChat
import SeekTokenizer
import SeekJSON

/// `seek tokenize`: how a model's tokenizer splits text.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        _superCommandName: "seek",
        abstract: "Print the token ids and pieces of a text (the text argument, or stdin).",
        discussion: """
            Examples:
              seek tokenize -m lite "Hello, world"
              seek tokenize -m lite --ids-only < prompt.txt
            """)

    @OptionGroup(title: "Model") var model: ModelChoice
    @OptionGroup(title: "Model") var registry: RegistryOptions

    @Flag(name: .customLong("no-bos"), help: "Do not add the BOS token, even when tokenizer_config.json asks for it.")
    var noBOS = false

    @Flag(name: .customLong("ids-only"), help: "Print only the ids, on one line.")
    var idsOnly = false

    @Argument(help: "The text (default: read stdin).")
    var text: String?

    /// Largest text read from stdin.
    static let inputLimit = 256 << 20

    func run() throws {
        try CommandFailure.reporting {
            let tokenizer = try ModelStartup(registryFile: registry.registryFile, model: model.model).loadTokenizer()
            guard let input = try text ?? PromptInput.read(prompt: nil, file: nil, limit: TokenizeCommand.inputLimit) else {
                throw CommandFailure.fail("no text: give it as an argument or on stdin")
            }
            let ids = try tokenizer.encode(input, addSpecialTokens: !noBOS)
            if idsOnly {
                Console.out(ids.map(String.init).joined(separator: " ") + "\n")
                return
            }
            let rows = ids.map { id -> [String] in
                [String(id), JSONWriter.compact.quoted(tokenizer.piece(for: id) ?? "?"),
                 JSONWriter.compact.quoted(tokenizer.decode([id], skipSpecialTokens: false))]
            }
            Console.out(Table.render(header: ["ID", "PIECE", "TEXT"], rows: rows))
            Console.out("\(ids.count) tokens\n")
        }
    }
}
