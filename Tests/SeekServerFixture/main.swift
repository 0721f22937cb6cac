import Foundation
import Logging
import SeekServer
import SeekServerTestSupport

// A seek server on 127.0.0.1 over the scripted predictor and tiny-chat's tokenizer, for protocol tests
// from other languages (Tests/Python). Prints "listening on http://127.0.0.1:PORT" once it accepts
// connections and serves until it is killed.
//
//   SeekServerFixture --tiny-chat ../shared/fixtures/tiny-chat [--port 0] [--parallel 2] [--queue 2]
//                     [--api-key KEY] [--delay-ms 5] [--loop]

var options: [String: String] = [:]
var flags: Set<String> = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--loop" { flags.insert(argument); continue }
    guard argument.hasPrefix("--"), let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("error: \(argument): unknown or missing its value\n".utf8))
        exit(2)
    }
    options[argument] = value
}

do {
    let folder = options["--tiny-chat"] ?? "../shared/fixtures/tiny-chat"
    let model = try TinyChatModel(folder: folder, contextSize: 512)
    let predictor = try ScriptedReply.predictor(for: model, endsWithEOS: !flags.contains("--loop"), contextSize: 512)
    predictor.delay = Double(options["--delay-ms"].flatMap(Int.init) ?? 0) / 1000
    var configuration = ServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = options["--port"].flatMap(Int.init) ?? 0
    configuration.apiKey = ServerConfiguration.apiKey(flag: options["--api-key"])
    configuration.scheduler = .init(parallel: options["--parallel"].flatMap(Int.init) ?? 2,
                                    queueLimit: options["--queue"].flatMap(Int.init) ?? 2)
    let server = try OpenAIServer(model: model, predictor: predictor, configuration: configuration)
    var logger = Logger(label: "seek.fixture")
    logger.logLevel = .error
    try await server.run(logger: logger) { port in
        FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(port)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
