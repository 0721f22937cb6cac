import SeekJSON

/// What tokenizer_config.json adds to tokenizer.json: special token names, BOS/EOS policy, chat template.
struct TokenizerConfig {
    var bosToken: String?
    var eosToken: String?
    var addBosToken: Bool?
    var addEosToken: Bool?
    var chatTemplate: String?

    init() {}

    init(json: JSONField) throws(JSONFieldError) {
        _ = try json.object()
        bosToken = try Self.tokenContent(json["bos_token"])
        eosToken = try Self.tokenContent(json["eos_token"])
        addBosToken = try json["add_bos_token"].optionalBool()
        addEosToken = try json["add_eos_token"].optionalBool()
        let template = json["chat_template"]
        switch template.value {
        case nil, .null?: break
        case .string(let text)?: chatTemplate = text
        case .array?:
            // The named-templates form: [{"name": "default", "template": "..."}, ...].
            var named: [(String, String)] = []
            for entry in try template.array() {
                named.append((try entry["name"].string(), try entry["template"].string()))
            }
            chatTemplate = named.first(where: { $0.0 == "default" })?.1 ?? named.first?.1
        case let other?:
            throw template.error("expected a string or a list of named templates, got \(other.typeName)")
        }
    }

    /// A special token given as a plain string or as `{"__type": "AddedToken", "content": ...}`.
    private static func tokenContent(_ field: JSONField) throws(JSONFieldError) -> String? {
        if case .object? = field.value { return try field["content"].string() }
        return try field.optionalString()
    }
}
