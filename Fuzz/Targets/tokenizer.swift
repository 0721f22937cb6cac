// libFuzzer target: tokenizer.json loading, then encoding and decoding. The input is a tokenizer.json;
// loading must succeed or fail with a TokenizerError (no trap, no giant allocation), and a loaded
// tokenizer must encode sample text (and the input itself) into ids it can decode, or fail with a
// TokenizerError (a pre-tokenizer regex out of its step budget), never hang.

import SeekJSON

private let samples = ["Hello world! 123 ", "The Lord is my shepherd;\n\tI shall not want.", "ünïcödé 中文 🙂 <｜end▁of▁sentence｜>", ""]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: count)
    guard let json = try? JSONParser.parse(buffer) else { return 0 }
    let tokenizer: Tokenizer
    do {
        tokenizer = try Tokenizer(json: JSONField(json), config: nil, tokenizerFile: "tokenizer.json", configFile: nil)
    } catch is TokenizerError {
        return 0
    } catch {
        fatalError("not a TokenizerError: \(type(of: error)) \(error)")
    }
    let text = String(decoding: buffer.prefix(512), as: UTF8.self)
    for sample in samples + [text] {
        let ids: [Int]
        do { ids = try tokenizer.encode(sample) } catch { continue }  // typed: only TokenizerError
        for id in ids where id < 0 || id >= tokenizer.vocabularySize { fatalError("id \(id) out of range") }
        _ = tokenizer.decode(ids, skipSpecialTokens: false)
        _ = tokenizer.decode(ids + [-1, tokenizer.vocabularySize, Int.max])
        if let limited = try? tokenizer.encode(sample, maxTokens: 4), limited.count > 4 { fatalError("limit ignored") }
    }
    return 0
}
