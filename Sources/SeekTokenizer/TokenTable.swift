/// A hash table from token text (UTF-8 bytes) to id. Swift's String hashing normalizes Unicode, which makes
/// building and probing a 100k-entry vocabulary of "Ġ…" strings several times slower than hashing bytes.
struct TokenTable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var ids: [Int32] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { ids.count }

    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    private func equals(_ entry: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[entry], end = starts[entry + 1]
        guard end - start == bytes.count else { return false }
        for i in 0..<bytes.count where arena[start + i] != bytes[i] { return false }
        return true
    }

    /// Adds or replaces an entry; true when it replaced one.
    @discardableResult
    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, id: Int) -> Bool {
        var slot = Self.hash(bytes) & mask
        while slots[slot] >= 0 {
            let entry = Int(slots[slot])
            if equals(entry, bytes) { ids[entry] = Int32(id); return true }
            slot = (slot + 1) & mask
        }
        if (ids.count + 1) * 2 > slots.count { grow(); return insert(bytes, id: id) }
        slots[slot] = Int32(ids.count)
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        ids.append(Int32(id))
        return false
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var slot = Self.hash(bytes) & mask
        while slots[slot] >= 0 {
            let entry = Int(slots[slot])
            if equals(entry, bytes) { return Int(ids[entry]) }
            slot = (slot + 1) & mask
        }
        return nil
    }

    func lookup(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { lookup($0) }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        arena.withUnsafeBufferPointer { arenaBuffer in
            for entry in 0..<ids.count {
                let bytes = UnsafeBufferPointer(rebasing: arenaBuffer[starts[entry]..<starts[entry + 1]])
                var slot = Self.hash(bytes) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(entry)
            }
        }
    }
}
