import ArgumentParser
import Foundation
import SeekChat
import SeekRemote

/// The remote side of `seek`, `seek chat` and `seek models`: the same options, a server instead of a
/// model loaded here. Failures are one `error:` line and exit status 1, as local ones.
enum RemoteRun {
    /// Most bytes a remote prompt may have: the server's context is not known here, so a generous bound
    /// (the server refuses what does not fit) that still stops a runaway file or pipe.
    static let promptByteLimit = 64 << 20

    /// `seek --remote URL`: one reply when a prompt is given (-p, -f, a pipe), else the chat.
    static func run(_ target: RemoteTarget, prompt: PromptOptions, system: String?, sampling: SamplingOptions,
                    runtime: RuntimeOptions) throws {
        try reporting { try RemoteUsageError.checkLocalOptions(runtime) }
        guard let text = try reporting({ try PromptInput.read(prompt: prompt.prompt, file: prompt.file, limit: RemoteRun.promptByteLimit) }) else {
            if prompt.json { throw CommandFailure.fail("--json needs a prompt: give -p, -f or pipe text to stdin") }
            if prompt.raw { throw CommandFailure.fail("--raw needs a prompt: give -p, -f or pipe text to stdin") }
            return try chat(target, system: system, sampling: sampling, runtime: runtime)
        }
        let session = RemoteSession(target: target, options: sampling)
        defer { session.close() }
        try reporting {
            guard !text.isEmpty else { throw CommandFailure.fail("the prompt is empty") }
            try RemoteOneShot(session: session, raw: prompt.raw, json: prompt.json, system: system, verbose: runtime.verbose)
                .run(text)
        }
    }

    /// The chat against the server.
    static func chat(_ target: RemoteTarget, system: String?, sampling: SamplingOptions, runtime: RuntimeOptions) throws {
        try reporting { try RemoteUsageError.checkLocalOptions(runtime) }
        guard Console.stdinIsTerminal else {
            throw CommandFailure.fail("the chat needs a terminal on stdin; to complete piped text, run seek without 'chat'")
        }
        let session = RemoteSession(target: target, options: sampling)
        defer { session.close() }
        try reporting { try session.chooseModel() }
        var repl = RemoteChatREPL(session: session, system: system, history: HistoryFile(path: HistoryFile.defaultPath()),
                                  verbose: runtime.verbose)
        repl.run()
    }

    /// `seek models --remote URL`: the server's `/models`.
    static func models(_ target: RemoteTarget) throws {
        let session = RemoteSession(target: target, options: try SamplingOptions.parse([]))
        defer { session.close() }
        let models = try reporting { try session.listModels() }
        let rows = models.map { [$0.id, $0.ownedBy ?? "", $0.maxModelLen.map(String.init) ?? ""] }
        Console.out(Table.render(header: ["ID", "OWNED BY", "CONTEXT"], rows: rows))
        Console.out("server: \(target.endpoint.baseURL)\n")
    }

    /// Runs `body`, printing a failure as one "error:" line (with the fix, where it is a flag) and
    /// exiting with status 1.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.error(RemoteErrorMessage.text(for: error))
            throw ExitCode.failure
        }
    }
}
