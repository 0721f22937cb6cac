import Foundation
import XCTest
@testable import SeekEngine

/// A copy of a shared fixture in a temporary folder, made to be broken one way at a time: the weight
/// files are symlinks to the fixture (as in the Hugging Face cache) until a test rewrites them, and
/// config.json is a copy to edit.
struct CorruptFolder {
    let path: String
    let fixture: String

    init(copying name: String, for test: XCTestCase) throws {
        fixture = try SharedData.fixture(name)
        path = NSTemporaryDirectory() + "seek-corrupt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let folder = path
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture) where name != "config.json" {
            try FileManager.default.createSymbolicLink(atPath: file(name), withDestinationPath: fixture + "/" + name)
        }
        try FileManager.default.copyItem(atPath: fixture + "/config.json", toPath: file("config.json"))
    }

    func file(_ name: String) -> String { path + "/" + name }

    var config: [String: Any] {
        get throws {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file("config.json")))) as! [String: Any]
        }
    }

    func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        var json = try config
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file("config.json")))
    }

    /// One tensor as bytes, for rewriting a weight file.
    struct Tensor {
        var name: String
        var dtype: TensorDType
        var shape: [Int]
        var bytes: Data
    }

    /// Reads the weight file `name` (a real file in place of the symlink afterwards), lets `edit` change
    /// its tensors, and writes it back with the same metadata.
    func rewriteWeights(_ name: String = "model.safetensors", _ edit: (inout [Tensor]) throws -> Void) throws {
        let source = try SafeTensorsFile(path: file(name))
        var tensors = source.tensors.values.sorted { $0.name < $1.name }.map {
            Tensor(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Data(bytes: $0.data, count: $0.byteCount))
        }
        let metadata = source.metadata
        try edit(&tensors)
        var writer = SafeTensorsWriter()
        writer.metadata = metadata
        for t in tensors { writer.add(t.name, dtype: t.dtype, shape: t.shape, bytes: t.bytes) }
        let data = try writer.serialized()
        try FileManager.default.removeItem(atPath: file(name))
        try data.write(to: URL(fileURLWithPath: file(name)))
    }

    /// Replaces `name` with something that is not a regular file.
    func replace(_ name: String, with kind: Replacement) throws {
        try? FileManager.default.removeItem(atPath: file(name))
        switch kind {
        case .fifo: XCTAssertEqual(mkfifo(file(name), 0o644), 0)
        case .directory: try FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: false)
        case .symlink(let target): try FileManager.default.createSymbolicLink(atPath: file(name), withDestinationPath: target)
        case .bytes(let data): try data.write(to: URL(fileURLWithPath: file(name)))
        }
    }

    enum Replacement {
        case fifo
        case directory
        case symlink(String)
        case bytes(Data)
    }
}

/// What loading a (possibly corrupt) folder and running a few tokens through it came to.
enum LoadOutcome {
    /// A typed error with its one-line description.
    case failed(String)
    /// Loaded and produced finite logits.
    case ran
    /// Did not finish within the time limit (a hang).
    case hung

    var message: String? { if case .failed(let text) = self { return text } else { return nil } }
}

enum LoadAttempt {
    /// Loads `folder` (context 64, memory capped at `memoryLimit`) and runs 3 tokens, on another thread
    /// with a time limit so that a hang fails the test instead of stopping the suite.
    static func run(_ folder: String, memoryLimit: Int = 4 << 30, seconds: Double = 60) -> LoadOutcome {
        final class Box: @unchecked Sendable { var outcome = LoadOutcome.hung }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.outcome = attempt(folder, memoryLimit: memoryLimit)
            done.signal()
        }.start()
        return done.wait(timeout: .now() + seconds) == .success ? box.outcome : .hung
    }

    private static func attempt(_ folder: String, memoryLimit: Int) -> LoadOutcome {
        do {
            var options = LoadOptions()
            options.contextSize = 64
            options.batchSize = 16
            options.threads = 1
            options.memoryLimit = memoryLimit
            let model = try DeepSeekModel.load(folder: folder, options: options)
            let tokens = [0, 1, 2].map { min($0, model.config.vocabSize - 1) }
            let logits = try model.forward(tokens, allLogits: true)
            try Generator.checkFinite(logits, position: 2)
            return .ran
        } catch {
            return .failed(String(describing: error))
        }
    }
}
