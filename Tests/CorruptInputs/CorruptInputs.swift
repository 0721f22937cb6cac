import SeekJSON

/// Systematically broken variants of a valid input, for tests that every one of them ends in a typed
/// error or a correct result (never a trap, a hang or a giant allocation):
/// - the text cut at every `stride`-th byte;
/// - single bytes replaced by characters that break structure;
/// - for JSON, every value (up to `maxNodes`) swapped for another kind, huge or negative numbers,
///   fractions, and nesting far beyond any limit.
public enum CorruptInputs {
    public struct Variant {
        public let description: String
        public let bytes: [UInt8]

        public init(description: String, bytes: [UInt8]) {
            self.description = description
            self.bytes = bytes
        }
    }

    public static func truncations(of bytes: [UInt8], stride step: Int) -> [Variant] {
        Swift.stride(from: 0, to: bytes.count, by: max(1, step)).map {
            Variant(description: "cut at byte \($0)", bytes: Array(bytes.prefix($0)))
        }
    }

    public static func byteSubstitutions(of bytes: [UInt8], stride step: Int) -> [Variant] {
        let replacements: [UInt8] = [0x22, 0x7B, 0x5D, 0x5C, 0xFF, 0x30, 0x00, 0x25, 0x7D]
        var out: [Variant] = []
        for (n, position) in Swift.stride(from: 0, to: bytes.count, by: max(1, step)).enumerated() {
            var copy = bytes
            copy[position] = replacements[n % replacements.count]
            out.append(Variant(description: "byte \(position) → 0x\(String(copy[position], radix: 16))", bytes: copy))
        }
        return out
    }

    /// Values that stand in for any JSON value.
    public static let replacementValues: [(String, JSON)] = [
        ("null", .null), ("true", .bool(true)), ("-1", .int(-1)), ("2000000000", .int(2_000_000_000)),
        ("1500000000", .int(1_500_000_000)), ("Int.max", .int(Int.max)), ("256.7", .double(256.7)), ("1e300", .double(1e300)),
        ("a string", .string("x")), ("[]", .array([])), ("{}", .object(JSONObject())),
        ("[true, 256]", .array([.bool(true), .int(256)])),
    ]

    /// Every value of `document` (breadth first, the first `maxNodes`) replaced by each of
    /// `replacementValues`, plus deep nesting at the root and at the first member.
    public static func valueSwaps(of document: JSON, maxNodes: Int) -> [Variant] {
        var paths: [[PathStep]] = [[]]
        var queue: [(JSON, [PathStep])] = [(document, [])]
        while !queue.isEmpty && paths.count < maxNodes {
            let (value, path) = queue.removeFirst()
            switch value {
            case .array(let items):
                for (i, item) in items.enumerated().prefix(8) { paths.append(path + [.index(i)]); queue.append((item, path + [.index(i)])) }
            case .object(let o):
                for (k, v) in o.members { paths.append(path + [.key(k)]); queue.append((v, path + [.key(k)])) }
            default: break
            }
        }
        var deep = JSON.int(1)
        for _ in 0..<2_000 { deep = .array([deep]) }
        var out: [Variant] = []
        for path in paths.prefix(maxNodes) {
            for (name, replacement) in replacementValues + [("2000 nested arrays", deep)] {
                guard let changed = replacing(path, in: document, with: replacement),
                      let text = try? JSONWriter(ensureASCII: false, maxDepth: 4_000).string(changed) else { continue }
                out.append(Variant(description: "\(describe(path)) = \(name)", bytes: Array(text.utf8)))
            }
        }
        return out
    }

    public enum PathStep {
        case key(String)
        case index(Int)
    }

    private static func describe(_ path: [PathStep]) -> String {
        path.isEmpty ? "<root>" : path.map { step in
            switch step {
            case .key(let k): return "." + k
            case .index(let i): return "[\(i)]"
            }
        }.joined()
    }

    private static func replacing(_ path: [PathStep], in value: JSON, with replacement: JSON) -> JSON? {
        guard let first = path.first else { return replacement }
        let rest = Array(path.dropFirst())
        switch (first, value) {
        case (.index(let i), .array(var items)) where i < items.count:
            guard let child = replacing(rest, in: items[i], with: replacement) else { return nil }
            items[i] = child
            return .array(items)
        case (.key(let k), .object(let o)):
            var pairs: [(String, JSON)] = []
            for (key, v) in o.members {
                if key == k {
                    guard let child = replacing(rest, in: v, with: replacement) else { return nil }
                    pairs.append((key, child))
                } else {
                    pairs.append((key, v))
                }
            }
            return .object(JSONObject(pairs))
        default:
            return nil
        }
    }
}
