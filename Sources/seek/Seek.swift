import ArgumentParser

@main
struct Seek: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seek",
        abstract: "Chat with and complete text from DeepSeek-family models on the CPU.",
        version: SeekVersion.string,
        subcommands: [ModelsCommand.self])
}
