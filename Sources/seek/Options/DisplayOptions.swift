import ArgumentParser

/// How seek's output looks on a terminal.
struct DisplayOptions: ParsableArguments {
    @Option(name: .customLong("color"), help: ArgumentHelp(
        "Colour the prompt, status lines and reasoning text: auto (on a terminal, unless NO_COLOR is set), always or never.",
        valueName: "when"))
    var color: ColorChoice?
}
