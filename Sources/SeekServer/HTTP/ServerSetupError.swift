/// Why a server cannot be started with what it was given.
public enum ServerSetupError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The served model promises more context than the predictor's caches hold.
    case contextLargerThanPredictor(model: Int, predictor: Int)

    public var description: String {
        switch self {
        case .contextLargerThanPredictor(let model, let predictor):
            return "the served model's context (\(model) tokens) is larger than the predictor's (\(predictor))"
        }
    }
}
