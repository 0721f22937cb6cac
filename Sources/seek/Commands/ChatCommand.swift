import ArgumentParser
import Foundation
import SeekChat

/// `seek chat`: the interactive chat, also what `seek` starts on a terminal without a prompt.
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model (the default on a terminal when no prompt is given).",
        discussion: """
            Type a message and press Enter; the reply streams in. A line ending in \\ continues the \
            message; \"\"\" starts and ends a multi-line block. Ctrl-C stops a reply; Ctrl-C on an empty \
            line or Ctrl-D leaves. Type /help for the commands (/set, /system, /clear, /save, /load, /show, \
            /stats, /bye). Input history is kept in $XDG_STATE_HOME/seek/history (~/.local/state/seek/history).

            When the conversation outgrows the context, its oldest turns leave it (the system message \
            stays) and the chat goes on. Only replies go to stdout: seek chat > replies.txt keeps them. \
            Sampling defaults ("the model's") come from the registry entry's "sampling", else the model \
            folder's generation_config.json, else seek's own.
            """)

    @OptionGroup(title: "Model") var registry: RegistryOptions
    @OptionGroup(title: "Model") var model: ModelChoice
    @OptionGroup(title: "Model") var runtime: RuntimeOptions
    @OptionGroup(title: "Chat") var chat: SystemOptions
    @OptionGroup(title: "Sampling") var sampling: SamplingOptions
    @OptionGroup(title: "Output") var display: DisplayOptions
    @OptionGroup(title: "Remote") var remote: RemoteOptions
    /// The root's prompt flags also parse after `chat`; declared here only to refuse them.
    @OptionGroup(visibility: .hidden) var prompt: PromptOptions

    func validate() throws {
        if prompt.prompt != nil || prompt.file != nil || prompt.raw || prompt.json || prompt.logprobs != nil {
            throw ValidationError("'seek chat' takes no prompt: for one answer run seek -p TEXT (or -f, or a pipe)")
        }
    }

    func run() throws {
        if let target = try RemoteRun.reporting({ try RemoteTarget.resolve(remote: remote, model: model.model, registryFile: registry.registryFile) }) {
            return try RemoteRun.chat(target, system: chat.system, sampling: sampling, runtime: runtime)
        }
        try ChatCommand.startChat(registry: registry, model: model, runtime: runtime, sampling: sampling, system: chat.system,
                                  display: display)
    }

    static func startChat(registry: RegistryOptions, model: ModelChoice, runtime: RuntimeOptions,
                          sampling: SamplingOptions, system: String?, display: DisplayOptions) throws {
        guard Console.stdinIsTerminal else {
            throw CommandFailure.fail("the chat needs a terminal on stdin; to complete piped text, run seek without 'chat'")
        }
        let (loaded, session) = try CommandFailure.reporting { () -> (LoadedModel, ChatSession) in
            let startup = try CommandStartup(registry: registry, model: model, runtime: runtime, sampling: sampling)
            let session = ChatSession(loaded: startup.loaded, settings: startup.settings, system: system)
            if !session.canChat, system != nil {
                throw ChatError.systemMessageNeedsTemplate(model: startup.loaded.name)
            }
            return (startup.loaded, session)
        }
        ChatREPL(loaded: loaded, session: session, history: HistoryFile(path: HistoryFile.defaultPath()), verbose: runtime.verbose,
                 style: TerminalStyle.resolve(display.color, descriptor: STDERR_FILENO),
                 replyStyle: TerminalStyle.resolve(display.color, descriptor: STDOUT_FILENO)).run()
    }
}
