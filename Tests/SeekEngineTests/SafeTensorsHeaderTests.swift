import CorruptInputs
import Foundation
import SeekJSON
@testable import SeekEngine
import XCTest

/// The safetensors header parser on hostile headers: each ends in a ModelFileError naming the file, or in
/// tensor views that lie inside the data block.
final class SafeTensorsHeaderTests: XCTestCase {
    private func file(header: String, dataBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        return bytes + Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes)
    }

    private func parse(_ bytes: [UInt8]) throws -> [String: TensorView] {
        try bytes.withUnsafeBytes { buffer in
            try SafeTensorsFile.parseHeader(base: buffer.baseAddress!, fileSize: buffer.count, name: "model.safetensors").0
        }
    }

    private func assertRefused(_ header: String, dataBytes: Int = 16, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(self.file(header: header, dataBytes: dataBytes)), file: file, line: line) { error in
            XCTAssertTrue(error is ModelFileError, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix("model.safetensors: "), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
        }
    }

    func testEachKindOfBadHeaderIsNamed() {
        var zero = [UInt8](repeating: 0, count: 8)
        zero += Array("{}".utf8)
        XCTAssertThrowsError(try parse(zero)) { XCTAssertTrue("\($0)".contains("header length is 0"), "\($0)") }
        func entry(_ body: String) -> String { #"{"w": {\#(body)}}"# }
        assertRefused(entry(#""dtype": "F32", "shape": [256.7], "data_offsets": [0, 16]"#), "shape[0]: expected an integer")
        assertRefused(entry(#""dtype": "F32", "shape": [true, 256], "data_offsets": [0, 16]"#), "shape[0]: expected an integer, got a boolean")
        assertRefused(entry(#""dtype": "F32", "shape": [-4], "data_offsets": [0, 16]"#), "out of range")
        assertRefused(entry(#""dtype": "F32", "shape": [4.0], "data_offsets": [0, 16]"#), "without a fraction")
        assertRefused(entry(#""dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]"#), "impossibly large")
        assertRefused(entry(#""dtype": "F32", "shape": [4], "data_offsets": [0, 99999999999999999999]"#), "data_offsets[1]")
        assertRefused(entry(#""dtype": "F32", "shape": [4], "data_offsets": [-16, 0]"#), "out of range")
        assertRefused(entry(#""dtype": "F32", "shape": [4], "data_offsets": [0]"#), "expected [begin, end]")
        assertRefused(entry(#""dtype": "F32", "shape": [4], "data_offsets": [16, 0]"#), "outside the data block")
        assertRefused(entry(#""dtype": "Q4", "shape": [4], "data_offsets": [0, 16]"#), "unsupported dtype Q4")
        assertRefused(entry(#""dtype": 5, "shape": [4], "data_offsets": [0, 16]"#), "dtype: expected a string")
        assertRefused(entry(#""shape": [4], "data_offsets": [0, 16]"#), "dtype: missing")
        assertRefused(#"{"w": 3}"#, "malformed header entry")
        assertRefused(#"[1, 2]"#, "not a JSON object")
        assertRefused(#"{"__metadata__": [1]}"#, "__metadata__ must be an object")
        assertRefused(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#, "appears twice")
        assertRefused(String(repeating: "[", count: 100_000), "invalid JSON")
    }

    /// The generator's corruptions of a valid header: each parses into views inside the file or is a
    /// ModelFileError naming it.
    func testEveryCorruptionParsesInsideTheFileOrIsAnError() throws {
        let header = #"{"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]}, "c": {"dtype": "I64", "shape": [], "data_offsets": [22, 30]}}"#
        let valid = file(header: header, dataBytes: 30)
        var variants = CorruptInputs.truncations(of: valid, stride: 1) + CorruptInputs.byteSubstitutions(of: valid, stride: 1)
        for swap in CorruptInputs.valueSwaps(of: try JSONParser.parse(header), maxNodes: 40) {
            variants.append(.init(description: swap.description, bytes: file(header: String(decoding: swap.bytes, as: UTF8.self), dataBytes: 30)))
        }
        XCTAssertGreaterThan(variants.count, 800)
        var parsed = 0, refused = 0
        for variant in variants {
            do {
                try variant.bytes.withUnsafeBytes { buffer in
                    let (tensors, _) = try SafeTensorsFile.parseHeader(base: buffer.baseAddress!, fileSize: buffer.count, name: "model.safetensors")
                    for tensor in tensors.values {
                        let start = tensor.data - buffer.baseAddress!
                        XCTAssertTrue(start >= 8 && start + tensor.byteCount <= buffer.count, variant.description)
                    }
                }
                parsed += 1
            } catch let error as ModelFileError {
                XCTAssertTrue("\(error)".hasPrefix("model.safetensors: "), "\(variant.description): \(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(parsed, 10)
        XCTAssertGreaterThan(refused, 500)
    }
}
