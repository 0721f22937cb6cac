import SeekRemote
import XCTest

/// Token ids in streams (vLLM's `return_token_ids` shapes, and seek's): per-chunk `token_ids` join up,
/// the prompt's ids come once, top-level (chat) or in the choice (completions).
final class TokenIdDecodingTests: XCTestCase {
    func testIdsPerChunkAndOnTheFinishChunk() throws {
        var decoder = StreamChunkDecoder()
        var prompt: [Int]?
        var reply: [Int] = []
        let events = [
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"prompt_token_ids":[1,2,3]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Hi"},"token_ids":[7]}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":" there"},"token_ids":[8,9]}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        ]
        for data in events {
            for event in try decoder.decode(ServerSentEvent(data: data)) {
                if case .tokenIds(let p, let r) = event {
                    if let p { prompt = p }
                    reply += r
                }
            }
        }
        XCTAssertEqual(prompt, [1, 2, 3])
        XCTAssertEqual(reply, [7, 8, 9])

        var completion = StreamChunkDecoder()
        let finish = try completion.decode(ServerSentEvent(
            data: #"{"choices":[{"index":0,"text":"","finish_reason":"length","prompt_token_ids":[4],"token_ids":[5,6]}]}"#))
        XCTAssertEqual(finish, [.tokenIds(prompt: [4], reply: [5, 6]), .finish(reason: "length")])
        var plain = StreamChunkDecoder()
        XCTAssertEqual(try plain.decode(ServerSentEvent(data: #"{"choices":[{"index":0,"delta":{"content":"x"}}]}"#)),
                       [.content("x")], "no ids, no id event")
    }
}
