import Foundation
import SeekChat
import SeekRemote

/// Where a remote conversation goes: the server, the model named there, and the defaults a registry
/// entry gives it (`"remote": URL`, `"api_key_env"`, `"model"`, `"system"`, `"sampling"`).
struct RemoteTarget {
    let endpoint: RemoteEndpoint
    /// The model's id on the server; nil: the first one `/models` lists (or none, for servers with one).
    let model: String?
    /// The registry entry that named the server, if one did.
    let entry: ModelEntry?

    /// The remote target of these options, or nil when the model runs here: `--remote URL` (with -m as
    /// the server's model name), else a registry entry with "remote".
    static func resolve(remote: RemoteOptions, model: String?, registryFile: String?,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RemoteTarget? {
        if let url = remote.url {
            let key = RemoteEndpoint.apiKey(flag: remote.apiKey, environment: environment)
            return RemoteTarget(endpoint: try RemoteEndpoint(url: url, apiKey: key), model: model, entry: nil)
        }
        guard let model else {
            if remote.apiKey != nil { throw RemoteUsageError.apiKeyWithoutRemote }
            return nil
        }
        let registry = try ModelRegistry.load(explicitFile: registryFile, environment: environment)
        guard let entry = registry.entry(named: model), let url = entry.remote else {
            if remote.apiKey != nil { throw RemoteUsageError.apiKeyWithoutRemote }
            return nil
        }
        let key = RemoteEndpoint.apiKey(flag: remote.apiKey, environmentVariable: entry.apiKeyEnvironmentVariable,
                                        environment: environment)
        return RemoteTarget(endpoint: try RemoteEndpoint(url: url, apiKey: key), model: entry.remoteModel, entry: entry)
    }

    /// The name shown to the user: the registry's, the model's id, or the server's address.
    var displayName: String { entry?.name ?? model ?? endpoint.baseURL }
}

/// Options that mean nothing for a remote model.
enum RemoteUsageError: Error, CustomStringConvertible {
    case apiKeyWithoutRemote
    case localOption(String)

    var description: String {
        switch self {
        case .apiKeyWithoutRemote:
            return "--api-key: only used with --remote URL (or a registry entry with \"remote\")"
        case .localOption(let flag):
            return "\(flag): does not apply to a remote model (the server loads it)"
        }
    }

    /// Refuses the options that only change how a model is loaded here.
    static func checkLocalOptions(_ runtime: RuntimeOptions) throws {
        if runtime.contextSize != nil { throw localOption("--ctx-size") }
        if runtime.threads != nil { throw localOption("--threads") }
        if runtime.quantization != nil { throw localOption("--quant") }
        if let mmap = runtime.mmap { throw localOption(mmap ? "--mmap" : "--no-mmap") }
        if runtime.cacheType != nil { throw localOption("--cache-type") }
    }
}
