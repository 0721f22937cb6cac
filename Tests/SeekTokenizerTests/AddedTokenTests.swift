import XCTest
import SeekTokenizer

final class AddedTokenTests: XCTestCase {
    func testLongestAddedTokenWinsAtAPosition() throws {
        var tiny = TinyTokenizer()
        tiny.addedTokens = [
            TinyTokenizer.addedToken("<|a|>", id: 300, special: true),
            TinyTokenizer.addedToken("<|a|><|b|>", id: 301, special: true),
            TinyTokenizer.addedToken("ab", id: 302, special: false),
        ]
        let tokenizer = try tiny.load()
        let x = Int(UInt8(ascii: "x"))
        XCTAssertEqual(try tokenizer.encode("x<|a|><|b|>x", addSpecialTokens: false), [x, 301, x])
        XCTAssertEqual(try tokenizer.encode("x<|a|><|c|>", addSpecialTokens: false),
                       [x, 300] + "<|c|>".utf8.map { Int($0) })
        XCTAssertEqual(try tokenizer.encode("xabx", addSpecialTokens: false), [x, 302, x])
        XCTAssertEqual(tokenizer.decode([x, 301, 302, x]), "xabx", "special tokens are skipped, others kept")
        XCTAssertEqual(tokenizer.decode([300], skipSpecialTokens: false), "<|a|>")
    }

    func testStripAndSingleWordFlags() throws {
        var tiny = TinyTokenizer()
        tiny.addedTokens = [
            TinyTokenizer.addedToken("<mask>", id: 300, special: true, lstrip: true, rstrip: true),
            TinyTokenizer.addedToken("cat", id: 301, special: false, singleWord: true),
        ]
        let tokenizer = try tiny.load()
        let (a, b, space) = (Int(UInt8(ascii: "a")), Int(UInt8(ascii: "b")), 32)
        XCTAssertEqual(try tokenizer.encode("a  <mask>  b", addSpecialTokens: false), [a, 300, b])
        XCTAssertEqual(try tokenizer.encode("a cat b", addSpecialTokens: false), [a, space, 301, space, b])
        XCTAssertEqual(try tokenizer.encode("concatenate", addSpecialTokens: false), "concatenate".utf8.map { Int($0) })
    }

    func testDeepSeekSpecialTokensInsideText() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(),
              let bos = tokenizer.bosTokenId, let eos = tokenizer.eosTokenId else { return }
        XCTAssertEqual(bos, 100_000)
        XCTAssertEqual(eos, 100_001)
        let hello = try tokenizer.encode("Hello", addSpecialTokens: false)
        let world = try tokenizer.encode(" world", addSpecialTokens: false)
        XCTAssertEqual(try tokenizer.encode("Hello<｜end▁of▁sentence｜> world", addSpecialTokens: false), hello + [eos] + world)
        XCTAssertEqual(try tokenizer.encode("<｜begin▁of▁sentence｜>Hello"), [bos, bos] + hello,
                       "a BOS written in the text is kept; add BOS only once by passing addSpecialTokens: false")
        XCTAssertEqual(tokenizer.decode([bos] + hello + [eos]), "Hello")
        XCTAssertEqual(tokenizer.decode([bos] + hello, skipSpecialTokens: false), "<｜begin▁of▁sentence｜>Hello")
    }
}
