import ArgumentParser
import Foundation
import SeekChat
import SeekEngine

/// `seek`: a one-shot completion when a prompt is given (-p, -f or a pipe), else the chat.
@main
struct Seek: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seek",
        abstract: "Chat with and complete text from DeepSeek-family models (MLA + DeepSeekMoE) on the CPU.",
        discussion: """
            With a prompt (-p, -f, or text piped to stdin) seek prints the reply on stdout and exits; \
            everything else it says goes to stderr. Without one, on a terminal, it starts a chat (see \
            'seek chat --help'). Without -m it runs the bundled model, seek-mini (Models/seek-mini in the \
            repository, or $SEEK_DEFAULT_MODEL), or the registry entry named "default".

            Sampling defaults ("the model's" below) come from the registry entry's "sampling", else the \
            model folder's generation_config.json (temperature, top_k, top_p, repetition_penalty, \
            max_new_tokens), else seek's own; --verbose and /show print the values in use.

            Examples:
              seek                                     chat with the bundled model
              seek -m ~/models/DeepSeek-V2-Lite-Chat   chat with a model folder
              seek -m lite -p "Why is the sky blue?"   one answer, then exit
              echo "question" | seek -m lite > answer.txt
              seek -m lite --raw -p "def fib(n):" -n 64 --temp 0
              seek -m lite -f prompt.txt --json        ids, text, timings as JSON
              seek models                              the registry, what loads
              seek tokenize -m lite "Hello, world"     ids and pieces
              seek quantize -m lite --quant q8 lite8   a smaller copy of a model
              seek bench -m lite -p 512 -n 128         speed, memory, % of bandwidth limit
              seek cache list                          quantized models kept by --quant
              seek serve -m lite --parallel 4          OpenAI-compatible API on port 8080
              seek --remote http://127.0.0.1:8080      chat with that server's model
            """,
        version: SeekVersion.string,
        subcommands: [ChatCommand.self, TokenizeCommand.self, ModelsCommand.self, QuantizeCommand.self, BenchCommand.self,
                      CacheCommand.self, ServeCommand.self])

    @OptionGroup(title: "Model") var registry: RegistryOptions
    @OptionGroup(title: "Model") var model: ModelChoice
    @OptionGroup(title: "Model") var runtime: RuntimeOptions
    @OptionGroup(title: "Prompt") var prompt: PromptOptions
    @OptionGroup(title: "Chat") var chat: SystemOptions
    @OptionGroup(title: "Sampling") var sampling: SamplingOptions
    @OptionGroup(title: "Output") var display: DisplayOptions
    @OptionGroup(title: "Remote") var remote: RemoteOptions

    /// Subcommands with options of their own (bench's -p and -n are numbers, quantize's --quant is its
    /// output format): named first, they parse the command line alone, so that the root's options
    /// (prompt, sampling, context) are neither taken from them nor silently accepted.
    static let parsedAlone: [ParsableCommand.Type] = [TokenizeCommand.self, ModelsCommand.self, QuantizeCommand.self, BenchCommand.self,
                                                      CacheCommand.self, ServeCommand.self]

    /// ArgumentParser's own main, except that usage errors start with "error:" like every other failure,
    /// and the subcommands in `parsedAlone` parse their own options.
    static func main() {
        Console.prepareStandardDescriptors()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let name = arguments.first, let command = parsedAlone.first(where: { $0.configuration.commandName == name }) {
            run(command, arguments: Array(arguments.dropFirst()))
        }
        run(Seek.self, arguments: arguments)
    }

    private static func run(_ type: ParsableCommand.Type, arguments: [String]) -> Never {
        do {
            var command = try type.parseAsRoot(arguments)
            if type == Seek.self, let name = parsedAlone.first(where: { $0 == Swift.type(of: command) })?.configuration.commandName {
                throw ValidationError("give '\(name)' first, before its options: seek \(name) [options]")
            }
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = type.exitCode(for: error)
            var message = type.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Console.out(message + "\n") }  // --help, --version
            } else if !message.isEmpty {
                if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
                if type != Seek.self, let name = type.configuration.commandName {
                    // Parsed on its own, a subcommand would point at plain 'NAME --help'.
                    message = message.replacingOccurrences(of: "See '\(name) --help'", with: "See 'seek \(name) --help'")
                }
                Console.err(message + "\n")
            }
            Foundation.exit(code.rawValue)
        }
    }

    func validate() throws {
        if prompt.raw, chat.system != nil {
            throw ValidationError("--raw and --system cannot be used together: a raw prompt has no system message")
        }
    }

    func run() throws {
        if let target = try RemoteRun.reporting({ try RemoteTarget.resolve(remote: remote, model: model.model, registryFile: registry.registryFile) }) {
            return try RemoteRun.run(target, prompt: prompt, system: chat.system, sampling: sampling, runtime: runtime)
        }
                guard let source = try CommandFailure.reporting({ try PromptInput.source(prompt: prompt.prompt, file: prompt.file) }) else {
            if prompt.json { throw CommandFailure.fail("--json needs a prompt: give -p, -f or pipe text to stdin") }
            if prompt.raw { throw CommandFailure.fail("--raw needs a prompt: give -p, -f or pipe text to stdin") }
            return try ChatCommand.startChat(registry: registry, model: model, runtime: runtime, sampling: sampling, system: chat.system,
                                             display: display)
        }
        try CommandFailure.reporting {
            if case .text(let text) = source, text.isEmpty { throw GenerationError.emptyPrompt }
            let startup = try CommandStartup(registry: registry, model: model, runtime: runtime, sampling: sampling)
            // Read only now: the context bounds how much of a file or pipe can be a prompt.
            let context = startup.loaded.model.contextSize
            let text = try source.read(limit: context * PromptInput.bytesPerToken, contextTokens: context)
            guard !text.isEmpty else { throw GenerationError.emptyPrompt }
            try OneShot(startup: startup, raw: prompt.raw, json: prompt.json, logprobs: prompt.logprobs, system: chat.system,
                        verbose: runtime.verbose,
                        replyStyle: TerminalStyle.resolve(display.color, descriptor: STDOUT_FILENO))
                .run(text)
        }
    }
}
