import Foundation
import XCTest
@testable import SeekEngine

/// Weight files and folders broken systematically: truncated, not regular files, escaping the folder,
/// disagreeing with config.json, holding NaN. Each must end in a typed one-line error (or, for harmless
/// extras, a run with finite logits), without blocking.
final class CorruptWeightsTests: XCTestCase {
    private func assertFails(_ folder: String, saying text: String, file: StaticString = #filePath, line: UInt = #line) {
        let outcome = LoadAttempt.run(folder, seconds: 20)
        guard let message = outcome.message else { return XCTFail("expected an error with \"\(text)\", got \(outcome)", file: file, line: line) }
        XCTAssertTrue(message.contains(text), message, file: file, line: line)
        XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
    }

    func testTruncatedWeightFilesFail() throws {
        for (fixture, name) in [("tiny-lite", "model.safetensors"), ("tiny-v2", "model-00002-of-00002.safetensors")] {
            let folder = try CorruptFolder(copying: fixture, for: self)
            let whole = try Data(contentsOf: URL(fileURLWithPath: folder.file(name)))
            let headerEnd = 8 + Int(whole.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            for length in [0, 1, 7, 8, 9, 64, headerEnd - 1, headerEnd, headerEnd + 1, whole.count / 2, whole.count - 1] {
                try folder.replace(name, with: .bytes(whole.prefix(length)))
                let outcome = LoadAttempt.run(folder.path, seconds: 20)
                XCTAssertNotNil(outcome.message, "\(fixture) cut to \(length) bytes: \(outcome)")
                XCTAssertTrue(outcome.message?.contains(name) == true, "\(outcome)")
            }
        }
    }

    /// Random bytes flipped in the header and the data: never a hang or a trap.
    func testFlippedBytesNeverHangOrTrap() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        let whole = try Data(contentsOf: URL(fileURLWithPath: folder.file("model.safetensors")))
        var state: UInt64 = 0x243F6A8885A308D3
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(Int.max))
        }
        let headerEnd = 8 + Int(whole.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        for trial in 0..<60 {
            var copy = whole
            let position = trial % 2 == 0 ? next() % headerEnd : headerEnd + next() % (whole.count - headerEnd)
            copy[position] = UInt8(truncatingIfNeeded: next())
            try folder.replace("model.safetensors", with: .bytes(copy))
            let outcome = LoadAttempt.run(folder.path, seconds: 20)
            if case .hung = outcome { XCTFail("byte \(position) flipped: hung") }
            if let message = outcome.message { XCTAssertFalse(message.contains("\n"), message) }
        }
    }

    /// A FIFO (which would block open forever), a directory, a symlink to a FIFO or to a device: refused
    /// before anything is read. A symlink to a regular file (the Hugging Face cache) loads.
    func testOnlyRegularFilesAreRead() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        XCTAssertEqual(LoadAttempt.run(folder.path).message, nil, "symlinked weights must load")
        try folder.replace("model.safetensors", with: .fifo)
        assertFails(folder.path, saying: "model.safetensors: is a FIFO, not a regular file")
        try folder.replace("model.safetensors", with: .directory)
        assertFails(folder.path, saying: "model.safetensors: is a directory, not a regular file")
        try folder.replace("model.safetensors", with: .symlink("/dev/zero"))
        assertFails(folder.path, saying: "is a character device, not a regular file")
        let fifo = folder.file("elsewhere-fifo")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        try folder.replace("model.safetensors", with: .symlink(fifo))
        assertFails(folder.path, saying: "is a FIFO")
        try folder.replace("model.safetensors", with: .symlink(folder.fixture + "/model.safetensors"))
        try folder.replace("config.json", with: .fifo)
        assertFails(folder.path, saying: "config.json: is a FIFO")
        try folder.replace("config.json", with: .directory)
        assertFails(folder.path, saying: "config.json: is a directory")
    }

    func testTokenizerFilesMustBeRegular() throws {
        let folder = try CorruptFolder(copying: "tiny-chat", for: self)
        XCTAssertNoThrow(try ModelFolder(path: folder.path).check(.tokenizer))
        try folder.replace("tokenizer.json", with: .fifo)
        XCTAssertThrowsError(try ModelFolder(path: folder.path).check(.tokenizer)) { XCTAssertTrue("\($0)".contains("is a FIFO"), "\($0)") }
        try folder.replace("tokenizer.json", with: .symlink(folder.fixture + "/tokenizer.json"))
        try folder.replace("tokenizer_config.json", with: .directory)
        XCTAssertThrowsError(try ModelFolder(path: folder.path).check(.tokenizer)) { XCTAssertTrue("\($0)".contains("is a directory"), "\($0)") }
    }

    func testIndexPathsMustStayInsideTheFolder() throws {
        let folder = try CorruptFolder(copying: "tiny-v2", for: self)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file(ModelFolder.indexName)))) as! [String: Any]
        let map = index["weight_map"] as! [String: String]
        let outside = folder.path + "/../elsewhere.safetensors"
        try FileManager.default.copyItem(atPath: folder.fixture + "/model-00001-of-00002.safetensors", toPath: outside)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: outside) }
        for escape in ["../elsewhere.safetensors", outside, "sub/../../elsewhere.safetensors", ""] {
            var edited = map
            for (tensor, shard) in map where shard == "model-00001-of-00002.safetensors" { edited[tensor] = escape }
            let data = try JSONSerialization.data(withJSONObject: ["weight_map": edited])
            try folder.replace(ModelFolder.indexName, with: .bytes(data))
            assertFails(folder.path, saying: "outside the model folder")
        }
        try folder.replace(ModelFolder.indexName, with: .bytes(Data("{\"weight_map\": {\"a\": 3}}".utf8)))
        assertFails(folder.path, saying: "not a valid safetensors index")
        try folder.replace(ModelFolder.indexName, with: .fifo)
        assertFails(folder.path, saying: "is a FIFO")
    }

    func testCheckpointAndConfigMustAgree() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        // Fewer layers in the config than in the checkpoint: not half the model run silently.
        try folder.editConfig { $0["num_hidden_layers"] = 2 }
        assertFails(folder.path, saying: "is for layer 2, but config.json num_hidden_layers is 2")
        // ... unless the extra layer is the multi-token-prediction layer the config announces.
        try folder.editConfig { $0["num_nextn_predict_layers"] = 1 }
        XCTAssertNil(LoadAttempt.run(folder.path).message)
        try folder.editConfig { $0["num_hidden_layers"] = 3; $0["num_nextn_predict_layers"] = 0 }

        try folder.rewriteWeights { tensors in
            tensors.append(.init(name: "model.layers.0.self_attn.rotary_emb.inv_freq", dtype: .f32, shape: [4], bytes: Data(count: 16)))
        }
        XCTAssertNil(LoadAttempt.run(folder.path).message, "rotary_emb.inv_freq buffers are allowed")
        try folder.rewriteWeights { tensors in
            tensors.append(.init(name: "model.layers.1.mlp.experts.0.extra.weight", dtype: .f32, shape: [2], bytes: Data(count: 8)))
        }
        assertFails(folder.path, saying: "tensor 'model.layers.1.mlp.experts.0.extra.weight' is not used")
        try folder.rewriteWeights { tensors in
            tensors.removeAll { $0.name.contains("extra") }
            tensors.removeAll { $0.name == "model.norm.weight" }
        }
        assertFails(folder.path, saying: "tensor 'model.norm.weight' is missing")
        // A config that says there are no shared experts, with a checkpoint that has them.
        try folder.replace("model.safetensors", with: .symlink(folder.fixture + "/model.safetensors"))
        try folder.editConfig { $0["n_shared_experts"] = 0 }
        assertFails(folder.path, saying: "shared_experts")
    }

    func testNonFiniteWeights() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        let nan = Data([0xC0, 0x7F])  // bf16 NaN
        // In a norm (read whole at load): an error naming the tensor.
        try folder.rewriteWeights { tensors in
            let i = tensors.firstIndex { $0.name == "model.norm.weight" }!
            tensors[i].bytes.replaceSubrange(2..<4, with: nan)
        }
        assertFails(folder.path, saying: "tensor 'model.norm.weight' holds NaN or infinite values")
        XCTAssertThrowsError(try DeepSeekModel.verify(folder: folder.path))
        // In the embedding row of token 1: the load is fine, the logits are not, and that is an error.
        try folder.replace("model.safetensors", with: .symlink(folder.fixture + "/model.safetensors"))
        try folder.rewriteWeights { tensors in
            let i = tensors.firstIndex { $0.name == "model.embed_tokens.weight" }!
            let row = tensors[i].shape[1] * 2
            tensors[i].bytes.replaceSubrange(row..<(row + 2), with: nan)
        }
        assertFails(folder.path, saying: "NaN or infinite logits")
        var options = LoadOptions()
        options.contextSize = 16
        let model = try DeepSeekModel.load(folder: folder.path, options: options)
        let generator = Generator(model: model, stopTokenIds: [])
        var sampler = Sampler(SamplingParameters())
        XCTAssertThrowsError(try generator.generate(prompt: [0, 1], maxTokens: 3, sampler: &sampler) { _ in .continue }) {
            XCTAssertEqual($0 as? GenerationError, .nonFiniteLogits(position: 1))
        }
        // The listing's probe sees a NaN at the start of a tensor.
        XCTAssertNoThrow(try DeepSeekModel.verify(folder: folder.fixture))
        try folder.rewriteWeights { tensors in
            let i = tensors.firstIndex { $0.name == "lm_head.weight" }!
            tensors[i].bytes.replaceSubrange(0..<2, with: nan)
        }
        XCTAssertThrowsError(try DeepSeekModel.verify(folder: folder.path)) {
            XCTAssertTrue("\($0)".contains("lm_head.weight' holds NaN"), "\($0)")
        }
    }

    func testAtomicFileReplacesWholeOrNotAtAll() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        let target = folder.file("saved.json")
        try AtomicFile.write(Data("old".utf8), to: target)
        try AtomicFile.write(Data("new".utf8), to: target)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: folder.file("missing/dir/file"))) {
            XCTAssertTrue("\($0)".contains("No such file or directory"), "\($0)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}
