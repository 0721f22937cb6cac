/// The body of `GET /v1/models`.
public struct ModelList: Codable, Equatable, Sendable {
    public var object = "list"
    public var data: [Model]

    public struct Model: Codable, Equatable, Sendable {
        public var id: String
        public var object = "model"
        public var created: Int
        public var ownedBy: String
        /// Tokens one sequence may hold (llama-server and vLLM report this too).
        public var maxModelLen: Int?

        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by", maxModelLen = "max_model_len" }
    }
}
