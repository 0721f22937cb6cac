import Foundation
@testable import SeekServer
import SeekServerTestSupport
import XCTest

/// Each route of the server on loopback, answered from the scripted predictor.
final class RouteTests: XCTestCase {
    func testHealthModelsAndMetrics() async throws {
        let server = try await TestServer.start()
        do {
            let health = try await server.get("/health")
            XCTAssertEqual(health.status, 200)
            XCTAssertEqual(health.json["status"] as? String, "ok")
            XCTAssertEqual(health.json["slots_total"] as? Int, 1)

            let models = try await server.get("/v1/models")
            XCTAssertEqual(models.status, 200)
            XCTAssertEqual(models.json["object"] as? String, "list")
            XCTAssertEqual(models.json[path: "data.0.id"] as? String, "tiny")
            XCTAssertEqual(models.json[path: "data.0.object"] as? String, "model")
            XCTAssertEqual(models.json[path: "data.0.max_model_len"] as? Int, 512)

            let one = try await server.get("/v1/models/tiny")
            XCTAssertEqual(one.json["id"] as? String, "tiny")
            let missing = try await server.get("/v1/models/gpt-4")
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.error?["code"] as? String, "model_not_found")

            _ = try await server.post("/v1/completions", #"{"prompt": "Psalm", "max_tokens": 3}"#)
            let metrics = try await server.get("/metrics")
            XCTAssertEqual(metrics.status, 200)
            XCTAssertTrue(metrics.headers.first(name: "Content-Type")?.hasPrefix("text/plain") ?? false)
            for name in ["seek_requests_total", "seek_generated_tokens_total", "seek_prompt_tokens_total",
                         "seek_slots_busy", "seek_slots_total", "seek_queue_length", "seek_generated_tokens_per_second"] {
                XCTAssertTrue(metrics.body.contains("# TYPE \(name)"), "missing \(name) in\n\(metrics.body)")
            }
            XCTAssertTrue(metrics.body.contains(#"seek_requests_total{endpoint="/v1/completions",status="200"} 1"#), metrics.body)
            XCTAssertTrue(metrics.body.contains("seek_generated_tokens_total 3"), metrics.body)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testChatCompletionWithoutStreaming() async throws {
        let server = try await TestServer.start()
        do {
            let body = #"{"model": "tiny", "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Who is my shepherd?"}]}"#
            let reply = try await server.post("/v1/chat/completions", body)
            XCTAssertEqual(reply.status, 200, reply.body)
            let json = reply.json
            XCTAssertEqual(json["object"] as? String, "chat.completion")
            XCTAssertTrue((json["id"] as? String)?.hasPrefix("chatcmpl-") ?? false)
            XCTAssertEqual(json["model"] as? String, "tiny")
            XCTAssertEqual(json[path: "choices.0.message.role"] as? String, "assistant")
            XCTAssertEqual(json[path: "choices.0.message.content"] as? String, TestServer.replyText)
            XCTAssertEqual(json[path: "choices.0.finish_reason"] as? String, "stop")
            XCTAssertTrue(json[path: "choices.0.logprobs"] is NSNull, "logprobs is null when not asked for")
            let prompt = try server.model.chatPromptIds([ChatMessage(role: "system", content: "You are terse."),
                                                         ChatMessage(role: "user", content: "Who is my shepherd?")])
            XCTAssertEqual(json[path: "usage.prompt_tokens"] as? Int, prompt.count)
            XCTAssertEqual(json[path: "usage.completion_tokens"] as? Int, server.replyIds.count)
            XCTAssertEqual(json[path: "usage.total_tokens"] as? Int, prompt.count + server.replyIds.count)
            XCTAssertEqual(json[path: "timings.predicted_n"] as? Int, server.replyIds.count)
            XCTAssertEqual(json[path: "timings.prompt_n"] as? Int, prompt.count)
            XCTAssertNotNil(json[path: "timings.ttft_ms"] as? Double)
            // The model saw the chat template's rendering of the conversation, then the reply fed back.
            let fed = server.predictor.cache(of: .init(0))
            XCTAssertEqual(Array(fed.prefix(prompt.count)), prompt)
            XCTAssertEqual(Array(fed.dropFirst(prompt.count)), server.replyIds, "every reply token but the EOS is fed back")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testCompletionsFromTextAndFromTokenIds() async throws {
        let server = try await TestServer.start()
        do {
            let text = try await server.post("/v1/completions", #"{"model": "tiny", "prompt": "Psalm twenty-three", "max_tokens": 4}"#)
            XCTAssertEqual(text.status, 200, text.body)
            XCTAssertEqual(text.json["object"] as? String, "text_completion")
            let expected = server.model.tokenizer.decode(Array(server.replyIds.prefix(4)))
            XCTAssertEqual(text.json[path: "choices.0.text"] as? String, expected)
            XCTAssertEqual(text.json[path: "choices.0.finish_reason"] as? String, "length")
            let promptIds = try server.model.textPromptIds("Psalm twenty-three")
            XCTAssertEqual(text.json[path: "usage.prompt_tokens"] as? Int, promptIds.count)
            XCTAssertEqual(promptIds.first, server.model.tokenizer.bosTokenId, "a text prompt gets BOS as tokenizer_config says")

            let ids = try await server.post("/v1/completions", #"{"prompt": [100000, 5, 6, 7], "max_tokens": 2}"#)
            XCTAssertEqual(ids.status, 200, ids.body)
            XCTAssertEqual(ids.json[path: "usage.prompt_tokens"] as? Int, 4)
            XCTAssertEqual(ids.json[path: "choices.0.text"] as? String, server.model.tokenizer.decode(Array(server.replyIds.prefix(2))))
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testStopStringsAreCutAndEndTheReply() async throws {
        let server = try await TestServer.start()
        do {
            let reply = try await server.post("/v1/chat/completions",
                                              #"{"messages": [{"role": "user", "content": "Hi"}], "stop": ["shepherd", "never"]}"#)
            XCTAssertEqual(reply.json[path: "choices.0.message.content"] as? String, "The Lord is my ")
            XCTAssertEqual(reply.json[path: "choices.0.finish_reason"] as? String, "stop")
            let single = try await server.post("/v1/completions", #"{"prompt": "Psalm", "stop": " is"}"#)
            XCTAssertEqual(single.json[path: "choices.0.text"] as? String, "The Lord")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testLogprobsOfChatAndCompletions() async throws {
        let server = try await TestServer.start()
        do {
            let chat = try await server.post("/v1/chat/completions",
                                             #"{"messages": [{"role": "user", "content": "Hi"}], "logprobs": true, "top_logprobs": 2, "max_tokens": 3}"#)
            XCTAssertEqual(chat.status, 200, chat.body)
            let content = try XCTUnwrap(chat.json[path: "choices.0.logprobs.content"] as? [[String: Any]])
            XCTAssertEqual(content.count, 3)
            let tokenizer = server.model.tokenizer
            for (entry, id) in zip(content, server.replyIds) {
                XCTAssertEqual(entry["token"] as? String, tokenizer.decode([id]))
                let logprob = try XCTUnwrap(entry["logprob"] as? Double)
                // Logits 10 for the script's token, 8 for the runner-up, 0 for the rest of the vocabulary.
                let expected = 10 - log(exp(10) + exp(8) + Double(tokenizer.vocabularySize - 2))
                XCTAssertEqual(logprob, expected, accuracy: 1e-4)
                let top = try XCTUnwrap(entry["top_logprobs"] as? [[String: Any]])
                XCTAssertEqual(top.count, 2)
                XCTAssertEqual(top[0]["token"] as? String, tokenizer.decode([id]))
                XCTAssertEqual(top[1]["token"] as? String, " and")
                XCTAssertEqual(top[1]["logprob"] as? Double ?? 0, expected - 2, accuracy: 1e-4)
                XCTAssertEqual(entry["bytes"] as? [Int], Array(tokenizer.decode([id]).utf8).map(Int.init))
            }

            let legacy = try await server.post("/v1/completions", #"{"prompt": "Psalm", "logprobs": 1, "max_tokens": 2}"#)
            let tokens = try XCTUnwrap(legacy.json[path: "choices.0.logprobs.tokens"] as? [String])
            XCTAssertEqual(tokens, server.replyIds.prefix(2).map { tokenizer.decode([$0]) })
            XCTAssertEqual((legacy.json[path: "choices.0.logprobs.token_logprobs"] as? [Double])?.count, 2)
            XCTAssertEqual(legacy.json[path: "choices.0.logprobs.text_offset"] as? [Int], [0, tokens[0].count])
            XCTAssertEqual((legacy.json[path: "choices.0.logprobs.top_logprobs"] as? [[String: Double]])?.first?.count, 1)
        } catch { XCTFail("\(error)") }
        await server.stop()
    }

    func testSamplingFieldsReachTheSampler() async throws {
        // Logits: 10 for the script's token, 8 for the runner-up " and", 0 elsewhere. At temperature 1
        // min_p 0.05 keeps just those two, so " and" comes up about one draw in eight.
        let server = try await TestServer.start(endsWithEOS: false)
        do {
            func text(_ body: String) async throws -> String {
                let reply = try await server.post("/v1/completions", body)
                XCTAssertEqual(reply.status, 200, reply.body)
                return reply.json[path: "choices.0.text"] as? String ?? ""
            }
            var replies: [String] = []
            for seed in 1...5 {
                let body = #"{"prompt": "Psalm", "max_tokens": 12, "temperature": 1, "top_p": 1, "min_p": 0.05, "top_k": 0, "seed": \#(seed)}"#
                let first = try await text(body)
                let again = try await text(body)
                XCTAssertEqual(first, again, "the same seed repeats the reply")
                replies.append(first)
            }
            XCTAssertTrue(replies.contains { $0.contains(" and") }, "sampling never left the script: \(replies)")
            let narrowed = try await text(#"{"prompt": "Psalm", "max_tokens": 12, "temperature": 1, "top_k": 1, "seed": 3}"#)
            XCTAssertFalse(narrowed.contains(" and"), "top_k 1 keeps only the most likely token")

            // When the looping script comes back to its first token, presence + frequency penalties (3)
            // push it below the runner-up; without them greedy decoding repeats the script.
            let count = server.replyIds.count + 1
            let plain = try await text(#"{"prompt": "Psalm", "max_tokens": \#(count), "temperature": 0}"#)
            XCTAssertEqual(plain, TestServer.replyText + server.model.tokenizer.decode([server.replyIds[0]]))
            let penalized = try await text(#"{"prompt": "Psalm", "max_tokens": \#(count), "temperature": 0, "presence_penalty": 2, "frequency_penalty": 1}"#)
            XCTAssertEqual(penalized, TestServer.replyText + " and")
            let repeatPenalized = try await text(#"{"prompt": "Psalm", "max_tokens": \#(count), "temperature": 0, "repeat_penalty": 2}"#)
            XCTAssertEqual(repeatPenalized, TestServer.replyText + " and", "repeat_penalty 2 halves the repeated token's logit")
        } catch { XCTFail("\(error)") }
        await server.stop()
    }
}
