import ArgumentParser

/// Talking to an OpenAI-compatible server instead of loading a model here.
struct RemoteOptions: ParsableArguments {
    @Option(name: .customLong("remote"), help: ArgumentHelp(
        "Use the model of an OpenAI-compatible server (seek serve, vLLM, SGLang, llama-server, ollama, …); "
        + "-m then names the server's model.", valueName: "url"))
    var url: String?

    @Option(name: .customLong("api-key"), help: ArgumentHelp(
        "The server's API key (default: $SEEK_API_KEY, else $OPENAI_API_KEY).", valueName: "key"))
    var apiKey: String?
}
