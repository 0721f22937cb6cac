/// A model folder that lacks what seek needs, found before loading so that the user hears what is
/// missing rather than a failure halfway through.
public struct ModelFolderError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case noSuchFolder
        case notAFolder
        case noConfig
        case noWeights
        case noTokenizer
    }

    public let folder: String
    public let problem: Problem

    public init(folder: String, problem: Problem) {
        self.folder = folder
        self.problem = problem
    }

    public var description: String { "\(folder): \(problem)" }
}

extension ModelFolderError.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noSuchFolder: return "no such folder"
        case .notAFolder: return "not a folder (a model is a folder with config.json and *.safetensors)"
        case .noConfig: return "no config.json (not a Hugging Face model folder)"
        case .noWeights: return "no *.safetensors weights"
        case .noTokenizer: return "no tokenizer.json (seek needs the model's tokenizer to read and write text)"
        }
    }
}
