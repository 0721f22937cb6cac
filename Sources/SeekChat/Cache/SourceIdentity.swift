import Foundation
import SeekEngine

/// Who a model folder's weights are, for the quantized-model cache: each weight file's name, size,
/// modification time and a hash of its safetensors header (tensor names, dtypes, shapes, offsets).
/// Any change to a file changes the identity, so a cached copy of an older version is never used.
struct SourceIdentity: Equatable {
    struct File: Equatable, Codable {
        var name: String
        var size: Int
        var modified: Int64
        var headerHash: String
    }

    var files: [File]

    /// The identity of the weight files of `folder`; nil when one cannot be read.
    init?(folder: String) {
        let modelFolder = ModelFolder(path: folder)
        var files: [File] = []
        for name in modelFolder.weightFileNames {
            let path = modelFolder.file(name)
            guard let status = FileStatus(path: path), let header = SourceIdentity.headerHash(path) else { return nil }
            files.append(File(name: name, size: status.size, modified: status.modified, headerHash: header))
        }
        guard !files.isEmpty else { return nil }
        self.files = files
    }

    /// A short key for this identity with the quantization kind and byte layout.
    func key(kind: QuantFormat, layout: String) -> String {
        var hash = FNV1a()
        hash.add("seek-cache-1|\(layout)|\(kind.rawValue)")
        for file in files { hash.add("|\(file.name)|\(file.size)|\(file.modified)|\(file.headerHash)") }
        return hash.hex
    }

    /// FNV-1a of a safetensors file's header (its 8-byte length and JSON), nil if it has none.
    static func headerHash(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return nil }
        let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= 100 << 20, let json = try? handle.read(upToCount: Int(length)), json.count == Int(length) else { return nil }
        var hash = FNV1a()
        hash.add(prefix)
        hash.add(json)
        return hash.hex
    }
}

/// 64-bit FNV-1a: a small, stable, non-cryptographic hash (identities, not security).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
    }

    mutating func add(_ text: String) { add(text.utf8) }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
