import Foundation
import SeekJSON

/// The tokenizer.json normalizers that byte-level BPE tokenizers use: Unicode normalization forms.
struct Normalizer {
    enum Form { case nfc, nfkc, nfd, nfkd }
    let forms: [Form]

    /// Nil when the normalizer is absent or does nothing (null, or an empty Sequence).
    static func load(_ json: JSONField, file: String) throws -> Normalizer? {
        var forms: [Form] = []
        try collect(json, into: &forms, file: file)
        return forms.isEmpty ? nil : Normalizer(forms: forms)
    }

    private static func collect(_ json: JSONField, into forms: inout [Form], file: String) throws {
        guard !json.isAbsent else { return }
        let type = try json["type"].string()
        switch type {
        case "Sequence":
            for item in try json["normalizers"].array() { try collect(item, into: &forms, file: file) }
        case "NFC": forms.append(.nfc)
        case "NFKC": forms.append(.nfkc)
        case "NFD": forms.append(.nfd)
        case "NFKD": forms.append(.nfkd)
        default:
            throw TokenizerError("\(file): unsupported normalizer type \"\(type)\"")
        }
    }

    func normalize(_ text: String) -> String {
        var s = text
        for form in forms {
            switch form {
            case .nfc: s = s.precomposedStringWithCanonicalMapping
            case .nfkc: s = s.precomposedStringWithCompatibilityMapping
            case .nfd: s = s.decomposedStringWithCanonicalMapping
            case .nfkd: s = s.decomposedStringWithCompatibilityMapping
            }
        }
        return s
    }

    /// Normalizes each text segment, appending the result to the buffer.
    func apply(to buffer: inout [UInt32], _ segments: [Segment]) -> [Segment] {
        var out: [Segment] = []
        out.reserveCapacity(segments.count)
        for segment in segments {
            guard segment.isText else { out.append(segment); continue }
            var view = String.UnicodeScalarView()
            for i in segment.start..<segment.end { view.append(Unicode.Scalar(buffer[i]) ?? "\u{FFFD}") }
            let normalized = normalize(String(view))
            let start = buffer.count
            buffer.append(contentsOf: normalized.unicodeScalars.map(\.value))
            if buffer.count > start { out.append(Segment(start: start, end: buffer.count)) }
        }
        return out
    }
}
