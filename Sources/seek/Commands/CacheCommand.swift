import ArgumentParser
import Foundation
import SeekChat

/// `seek cache`: the quantized copies `--quant` keeps between starts.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        _superCommandName: "seek",
        abstract: "List or remove the quantized models kept by --quant.",
        discussion: """
            --quant q8|q4 on a folder of bf16/f16/f32 weights quantizes it once and keeps the result in \
            $XDG_CACHE_HOME/seek/models (~/.cache/seek/models); later starts map it. An entry whose source \
            changed is rebuilt, not used.

            Examples:
              seek cache list
              seek cache rm DeepSeek-V2-Lite-Chat-q4-0123456789ab
              seek cache rm --all
            """,
        subcommands: [List.self, Remove.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cached quantized models.")

        func run() throws {
            let cache = QuantizedModelCache()
            let entries = cache.list()
            if entries.isEmpty {
                Console.out("no cached models in \(cache.root)\n")
                return
            }
            let rows = entries.map { entry in
                [entry.name, entry.kind.rawValue, Table.gigabytes(entry.bytes), entry.source,
                 entry.isCurrent ? "" : "stale (the source changed or is gone)"]
            }
            Console.out(Table.render(header: ["NAME", "QUANT", "SIZE", "SOURCE", "NOTE"], rows: rows))
            Console.out("cache: \(cache.root), \(Table.gigabytes(entries.reduce(0) { $0 + $1.bytes })) in all\n")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove cached quantized models.")

        @Flag(help: "Remove every cached model.")
        var all = false

        @Argument(help: ArgumentHelp("The entries to remove (names as 'seek cache list' shows them).", valueName: "name"))
        var names: [String] = []

        func validate() throws {
            if all == !names.isEmpty { throw ValidationError("give the names of the entries to remove, or --all") }
        }

        func run() throws {
            let cache = QuantizedModelCache()
            try CommandFailure.reporting {
                if all {
                    let count = try cache.removeAll()
                    Console.err("removed \(count) cached model\(count == 1 ? "" : "s") from \(cache.root)\n")
                    return
                }
                for name in names {
                    try cache.remove(name)
                    Console.err("removed \(name)\n")
                }
            }
        }
    }
}
