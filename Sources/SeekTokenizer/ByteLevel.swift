/// GPT-2's reversible byte ↔ character table: every byte gets a printable character, so byte-level BPE
/// vocabularies are plain strings ("Ġ" is the space byte).
enum ByteLevel {
    /// The character standing for each byte value.
    static let characterForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte each table character stands for; -1 for characters outside the table.
    static let byteForCharacter: [Int16] = {
        var table = [Int16](repeating: -1, count: 512)
        for (byte, scalar) in characterForByte.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The bytes a vocabulary string stands for. A string with characters outside the table (such as
    /// "<｜end▁of▁sentence｜>") stands for its own UTF-8 bytes, as in Hugging Face's ByteLevel decoder.
    static func bytes(of token: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let v = scalar.value
            guard v < 512, byteForCharacter[Int(v)] >= 0 else { return Array(token.utf8) }
            result.append(UInt8(byteForCharacter[Int(v)]))
        }
        return result
    }

    /// The vocabulary string for raw bytes.
    static func string(of bytes: some Sequence<UInt8>) -> String {
        var result = String.UnicodeScalarView()
        for byte in bytes { result.append(characterForByte[Int(byte)]) }
        return String(result)
    }
}
