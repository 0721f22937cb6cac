import Foundation
@testable import SeekChat
import XCTest

/// Files an earlier seek wrote (Foundation's JSONEncoder: pretty-printed with " : ", keys in its own
/// order) still load, and the files written now have a fixed layout.
final class SavedFileFormatTests: XCTestCase {
    /// A /save file as the previous build wrote it, byte for byte.
    static let oldConversation = """
        {
          "messages" : [
            {
              "content" : "Be brief.",
              "role" : "system"
            },
            {
              "content" : "Say \\"hi\\"\\nand ünïcödé 😀 a/b",
              "role" : "user"
            },
            {
              "role" : "assistant",
              "content" : "hi"
            }
          ],
          "model" : "tiny"
        }
        """

    func testOldConversationFileLoads() throws {
        let conversation = try Conversation(jsonData: Data(Self.oldConversation.utf8), file: "old.json")
        XCTAssertEqual(conversation, Conversation(system: "Be brief.", messages: [
            .init(role: "user", content: "Say \"hi\"\nand ünïcödé 😀 a/b"), .init(role: "assistant", content: "hi"),
        ]))
    }

    func testConversationFileLayout() throws {
        let conversation = Conversation(system: "S", messages: [.init(role: "user", content: "é \"q\"\n/")])
        let text = String(decoding: try conversation.jsonData(model: "tiny"), as: UTF8.self)
        XCTAssertEqual(text, """
            {
              "model": "tiny",
              "messages": [
                {
                  "role": "system",
                  "content": "S"
                },
                {
                  "role": "user",
                  "content": "é \\"q\\"\\n/"
                }
              ]
            }

            """)
        XCTAssertEqual(try Conversation(jsonData: Data(text.utf8), file: "new.json"), conversation)
    }

    /// A quantized-cache manifest as the previous build wrote it (sorted keys, " : ").
    static let oldManifest = """
        {
          "files" : [
            {
              "headerHash" : "8c2f61a0d5e7b913",
              "modified" : 1764931200,
              "name" : "model.safetensors",
              "size" : 1234567
            }
          ],
          "key" : "0f1e2d3c4b5a6978",
          "kind" : "q8",
          "layout" : "q8-32-interleave8",
          "outputs" : {
            "model.safetensors" : 456789
          },
          "source" : "\\/models\\/tiny lite"
        }
        """

    func testOldManifestLoadsAndNewOneRoundTrips() throws {
        let manifest = try XCTUnwrap(QuantizedModelCache.Manifest(jsonData: Data(Self.oldManifest.utf8)))
        XCTAssertEqual(manifest.source, "/models/tiny lite")
        XCTAssertEqual(manifest.kind, "q8")
        XCTAssertEqual(manifest.layout, "q8-32-interleave8")
        XCTAssertEqual(manifest.key, "0f1e2d3c4b5a6978")
        XCTAssertEqual(manifest.files, [.init(name: "model.safetensors", size: 1234567, modified: 1764931200, headerHash: "8c2f61a0d5e7b913")])
        XCTAssertEqual(manifest.outputs, ["model.safetensors": 456789])
        let written = try manifest.jsonData()
        XCTAssertEqual(QuantizedModelCache.Manifest(jsonData: written), manifest)
        XCTAssertTrue(String(decoding: written, as: UTF8.self).hasPrefix("{\n  \"files\": [\n    {\n      \"headerHash\": \"8c2f61a0d5e7b913\",\n"))
        XCTAssertNil(QuantizedModelCache.Manifest(jsonData: Data(#"{"kind": "q8"}"#.utf8)))
    }
}
