/// What tokenizer_config.json adds to tokenizer.json: special token names, BOS/EOS policy, chat template.
struct TokenizerConfig {
    var bosToken: String?
    var eosToken: String?
    var addBosToken: Bool?
    var addEosToken: Bool?
    var chatTemplate: String?

    init() {}

    init(json: JSONValue, file: String) throws(TokenizerError) {
        guard json.object != nil else { throw TokenizerError("\(file): expected a JSON object") }
        bosToken = Self.tokenContent(json["bos_token"])
        eosToken = Self.tokenContent(json["eos_token"])
        addBosToken = json["add_bos_token"]?.bool
        addEosToken = json["add_eos_token"]?.bool
        if let template = json["chat_template"] {
            if let text = template.string {
                chatTemplate = text
            } else if let list = template.array {
                // The named-templates form: [{"name": "default", "template": "..."}, ...].
                let named = list.compactMap { entry -> (String, String)? in
                    guard let name = entry["name"]?.string, let text = entry["template"]?.string else { return nil }
                    return (name, text)
                }
                chatTemplate = named.first(where: { $0.0 == "default" })?.1 ?? named.first?.1
            } else if !template.isNull {
                throw TokenizerError("\(file): chat_template is neither a string nor a list of named templates")
            }
        }
    }

    /// A special token given as a plain string or as `{"__type": "AddedToken", "content": ...}`.
    private static func tokenContent(_ value: JSONValue?) -> String? {
        if let text = value?.string { return text }
        return value?["content"]?.string
    }
}
