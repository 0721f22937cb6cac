import XCTest
@testable import SeekTokenizer

/// The regex matcher on the patterns of other byte-level BPE tokenizers (GPT-2, Qwen2, Llama-3), with the
/// pieces Hugging Face tokenizers produce for them.
final class RegexTests: XCTestCase {
    static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    private func pieces(_ pattern: String, _ text: String) throws -> [String] {
        let regex = try ScalarRegex(pattern: pattern)
        let scalars = text.unicodeScalars.map(\.value)
        var stack: [ScalarRegex.Frame] = []
        var result: [String] = []
        var previous = 0
        func string(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            for i in range { view.append(Unicode.Scalar(scalars[i])!) }
            return String(view)
        }
        var budget = RegexStepBudget(scalars: scalars.count)
        try scalars.withUnsafeBufferPointer { buffer throws(RegexStepBudget.Exhausted) in
            try regex.forEachMatch(in: buffer, from: 0, to: scalars.count, stack: &stack, budget: &budget) { start, end in
                if previous < start { result.append("<gap>" + string(previous..<start)) }
                result.append(string(start..<end))
                previous = end
            }
        }
        if previous < scalars.count { result.append("<gap>" + string(previous..<scalars.count)) }
        return result
    }

    func testGPT2Pattern() throws {
        XCTAssertEqual(try pieces(PreTokenizer.gpt2Pattern, "Hello world's  test\n\n  x 42!!"),
                       ["Hello", " world", "'s", " ", " test", "\n\n ", " x", " 42", "!!"])
    }

    func testQwen2Pattern() throws {
        XCTAssertEqual(try pieces(Self.qwen2, "I'M here 123 你好世界!!\n\n  end  "),
                       ["I", "'M", " here", " ", "1", "2", "3", " 你好世界", "!!\n\n", " ", " end", "  "])
    }

    func testLlama3DigitGroups() throws {
        XCTAssertEqual(try pieces(Self.llama3, "1234567 x"), ["123", "456", "7", " x"])
    }

    func testDeepSeekStylePatterns() throws {
        // `$` and `\s+$` see the end of the piece; ranges beyond the BMP work.
        XCTAssertEqual(try pieces(#"\s+$"#, "a  b   "), ["<gap>a  b", "   "])
        XCTAssertEqual(try pieces(#"\s?[A-Za-z𐐀-𐑏]+"#, "x 𐐀𐐁 y"), ["x", " 𐐀𐐁", " y"])
        XCTAssertEqual(try pieces(#"\p{N}+"#, "a١٢3½b"), ["<gap>a", "١٢3½", "<gap>b"])
    }

    func testQuantifierKindsAndGroups() throws {
        XCTAssertEqual(try pieces("a+?", "aaa"), ["a", "a", "a"])
        XCTAssertEqual(try pieces("a++a", "aaa"), ["<gap>aaa"], "possessive loops give nothing back")
        XCTAssertEqual(try pieces("(?:ab|a)c", "abcac"), ["abc", "ac"])
        XCTAssertEqual(try pieces("(?i)HeLLo", "hello HELLO"), ["hello", "<gap> ", "HELLO"])
        XCTAssertEqual(try pieces(#"[\-\]x]+"#, "a-]x-b"), ["<gap>a", "-]x-", "<gap>b"])
        XCTAssertEqual(try pieces("x{2,3}", "xxxxxxx"), ["xxx", "xxx", "<gap>x"])
        XCTAssertEqual(try pieces(#"\w+(?=!)"#, "hi! yo"), ["hi", "<gap>! yo"])
    }

    func testUnsupportedSyntaxIsAnError() {
        XCTAssertThrowsError(try ScalarRegex(pattern: "(?<=a)b"))
        XCTAssertThrowsError(try ScalarRegex(pattern: #"(a)\1"#))
        XCTAssertThrowsError(try ScalarRegex(pattern: "[abc"))
        XCTAssertThrowsError(try ScalarRegex(pattern: #"\p{Klingon}"#))
        XCTAssertThrowsError(try ScalarRegex(pattern: "(a*)*"))
    }
}
