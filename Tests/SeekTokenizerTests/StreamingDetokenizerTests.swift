import Foundation
import XCTest
import SeekTokenizer

final class StreamingDetokenizerTests: XCTestCase {
    /// Id of the single-byte token for each byte value in the DeepSeek vocabulary.
    private func byteTokenIds(_ tokenizer: Tokenizer) -> [Int] {
        var idsByPiece: [String: Int] = [:]
        for id in 0..<tokenizer.vocabularySize { if let piece = tokenizer.piece(for: id) { idsByPiece[piece] = id } }
        return TinyTokenizer.byteCharacters.map { idsByPiece[$0] ?? -1 }
    }

    func testCJKCharacterSplitAcrossByteTokens() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer() else { return }
        let byteIds = byteTokenIds(tokenizer)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        XCTAssertEqual(stream.append(byteIds[Int(UInt8(ascii: "A"))]), "A")
        let bytes = Array("中".utf8)  // E4 B8 AD
        XCTAssertEqual(stream.append(byteIds[Int(bytes[0])]), "")
        XCTAssertEqual(stream.append(byteIds[Int(bytes[1])]), "")
        XCTAssertEqual(stream.append(byteIds[Int(bytes[2])]), "中")
        XCTAssertEqual(stream.finish(), "")
    }

    func testEmojiSplitAcrossByteTokensWithSpecialTokenInBetween() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(), let bos = tokenizer.bosTokenId else { return }
        let byteIds = byteTokenIds(tokenizer)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        let bytes = Array("😀".utf8)  // F0 9F 98 80
        XCTAssertEqual(stream.append(byteIds[Int(bytes[0])]), "")
        XCTAssertEqual(stream.append(byteIds[Int(bytes[1])]), "")
        XCTAssertEqual(stream.append(bos), "", "special tokens are skipped for display")
        XCTAssertEqual(stream.append(byteIds[Int(bytes[2])]), "")
        XCTAssertEqual(stream.append(100_015), "", "unknown ids decode to nothing")
        XCTAssertEqual(stream.append(byteIds[Int(bytes[3])]), "😀")
    }

    func testSpecialTokensShownWhenNotSkipped() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(), let eos = tokenizer.eosTokenId else { return }
        var stream = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: false)
        XCTAssertEqual(stream.append(eos), "<｜end▁of▁sentence｜>")
    }

    func testUnfinishedAndInvalidBytes() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer() else { return }
        let byteIds = byteTokenIds(tokenizer)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        XCTAssertEqual(stream.append(byteIds[0xE4]), "")
        XCTAssertEqual(stream.append(byteIds[0xB8]), "")
        XCTAssertEqual(stream.finish(), "\u{FFFD}", "an unfinished character becomes U+FFFD at the end")
        // A byte that can never start a character is emitted at once, as decode() would show it.
        XCTAssertEqual(stream.append(byteIds[0xFF]), "\u{FFFD}")
        // A lead byte followed by a non-continuation byte is not held back.
        XCTAssertEqual(stream.append(byteIds[0xE4]), "")
        XCTAssertEqual(stream.append(byteIds[Int(UInt8(ascii: "x"))]), "\u{FFFD}x")
    }

    func testStreamingEqualsOneShotDecodeOnAllCases() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer(),
              let path = SharedData.path("tokenizer/cases.jsonl") else { return }
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let ids = try XCTUnwrap(json["ids"] as? [Int])
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var pieces: [String] = []
            for id in ids { pieces.append(stream.append(id)) }
            pieces.append(stream.finish())
            XCTAssertEqual(pieces.joined(), tokenizer.decode(ids))
        }
    }

    func testUnknownIdsDecodeToNothing() throws {
        guard let tokenizer = SharedData.deepSeekTokenizer() else { return }
        XCTAssertEqual(tokenizer.vocabularySize, 100_015)
        let hello = try tokenizer.encode("Hello", addSpecialTokens: false)
        XCTAssertEqual(tokenizer.decode([100_015] + hello + [102_399, -1, Int.max]), "Hello")
        XCTAssertNil(tokenizer.piece(for: 100_015))
        XCTAssertNil(tokenizer.piece(for: -3))
        XCTAssertFalse(tokenizer.isSpecial(102_399))
        XCTAssertTrue(tokenizer.isSpecial(100_000))
        XCTAssertFalse(tokenizer.isSpecial(100_002), "ø is an added token but not a special one")
    }
}
