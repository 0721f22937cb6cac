import ArgumentParser

/// Where a one-shot prompt comes from and what comes out.
struct PromptOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Complete this prompt, print the reply and exit.", valueName: "text"))
    var prompt: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Read the prompt from a file.", valueName: "path"))
    var file: String?

    @Flag(help: "Send the prompt as is (plain completion), without the chat template.")
    var raw = false

    @Flag(help: "Print one JSON object (ids, text, finish reason, timings) instead of the text.")
    var json = false

    @Option(name: .customLong("logprobs"), help: ArgumentHelp(
        "With --json: each token's log-probability and the n most likely alternatives', from the distribution sampled.",
        valueName: "n"))
    var logprobs: Int?

    func validate() throws {
        if let logprobs {
            guard json else { throw ValidationError("--logprobs needs --json") }
            guard logprobs >= 0 else { throw ValidationError("--logprobs must be 0 or more, got \(logprobs)") }
        }
        if prompt != nil, file != nil {
            throw ValidationError("--prompt and --file cannot be used together: give the prompt one way")
        }
    }
}

/// The system message of a chat.
struct SystemOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The system message (chat formatting only).", valueName: "text"))
    var system: String?
}
