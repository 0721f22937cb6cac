import SeekJSON

/// The byte-level BPE model of tokenizer.json: vocabulary, merges by rank, and the merge loop.
struct BPEModel {
    /// Vocabulary string → id.
    let vocab: TokenTable
    /// The vocabulary in file order.
    let entries: [(text: String, id: Int)]
    /// Id of each byte's single-character token (-1 when the vocabulary lacks it).
    private let byteIds: [Int32]
    /// (left id << 32 | right id) → (rank << 32 | merged id).
    private let merges: [UInt64: UInt64]
    /// Words that are whole vocabulary entries skip the merges (Llama-3 style `ignore_merges`).
    let ignoreMerges: Bool
    private let unknownId: Int?

    init(model: JSONField, file: String) throws {
        let type = try model["type"].optionalString() ?? "BPE"
        guard type == "BPE" else {
            throw TokenizerError("\(file): unsupported model type \"\(type)\" (only byte-level BPE is supported)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = try model[key].optionalString(), value != "" {
                throw TokenizerError("\(file): BPE option \(key) is not supported")
            }
        }
        let vocabObject = try model["vocab"].object()
        // An id sizes the id tables, so it must stay near the number of entries the file holds.
        let idLimit = 2 * vocabObject.count + 1024
        var vocab = TokenTable(capacity: vocabObject.count)
        var entries: [(text: String, id: Int)] = []
        entries.reserveCapacity(vocabObject.count)
        var owner = [Int32](repeating: -1, count: min(idLimit, Int(Int32.max)))  // entry index of each id
        var replaced = false
        for (key, value) in zip(vocabObject.keys, vocabObject.values) {
            guard case .int(let id) = value else {
                throw TokenizerError("\(file): model.vocab.\(key): expected an integer id, got \(value.typeName)")
            }
            guard id >= 0, id < idLimit else {
                throw TokenizerError("\(file): model.vocab.\(key): id \(id) is out of range (the vocabulary has \(vocabObject.count) entries)")
            }
            var text = key
            if text.withUTF8({ vocab.insert($0, id: id) }) { replaced = true }  // a repeated key: the last wins
            if owner[id] >= 0, entries[Int(owner[id])].text != key {
                throw TokenizerError("\(file): model.vocab: \"\(entries[Int(owner[id])].text)\" and \"\(key)\" have the same id \(id)")
            }
            owner[id] = Int32(entries.count)
            entries.append((key, id))
        }
        if replaced { entries = entries.filter { vocab.lookup($0.text) == $0.id } }
        self.vocab = vocab
        self.entries = entries
        byteIds = ByteLevel.characterForByte.map { Int32(vocab.lookup(String($0)) ?? -1) }
        ignoreMerges = try model["ignore_merges"].optionalBool() ?? false
        unknownId = try model["unk_token"].optionalString().flatMap { vocab.lookup($0) }

        let mergeList = try model["merges"].array()
        var merges = [UInt64: UInt64](minimumCapacity: mergeList.count)
        var joined: [UInt8] = []
        for (rank, entry) in mergeList.enumerated() {
            // Token ids of the two halves and of their concatenation; nil halves mean a token is missing.
            var found: (Int?, Int?, Int?)
            var halves: (String, String)?  // for the error message; only the pair form keeps them
            var line = ""
            if case .string(var text)? = entry.value {
                // The "a b" form: exactly one separating space, as Hugging Face requires.
                line = text
                let parsed: (Int?, Int?, Int?)? = text.withUTF8 { bytes in
                    let spaces = bytes.indices.filter { bytes[$0] == UInt8(ascii: " ") }
                    guard spaces.count == 1, let space = spaces.first else { return nil }
                    let left = UnsafeBufferPointer(rebasing: bytes[..<space])
                    let right = UnsafeBufferPointer(rebasing: bytes[(space + 1)...])
                    joined.removeAll(keepingCapacity: true)
                    joined.append(contentsOf: left)
                    joined.append(contentsOf: right)
                    return (vocab.lookup(left), vocab.lookup(right), joined.withUnsafeBufferPointer { vocab.lookup($0) })
                }
                guard let parsed else {
                    throw TokenizerError("\(file): merge #\(rank) \"\(line)\" is not two tokens separated by a space")
                }
                found = parsed
            } else if case .array(let pair)? = entry.value, pair.count == 2, let a = pair[0].stringValue, let b = pair[1].stringValue {
                found = (vocab.lookup(a), vocab.lookup(b), vocab.lookup(a + b))
                halves = (a, b)
            } else {
                throw TokenizerError("\(file): merge #\(rank) is neither \"a b\" nor [\"a\", \"b\"]")
            }
            guard let a = found.0, let b = found.1 else {
                throw TokenizerError("\(file): merge #\(rank) uses a token missing from the vocab")
            }
            guard let merged = found.2 else {
                let described = halves.map { $0.0 + $0.1 } ?? line.replacingOccurrences(of: " ", with: "")
                throw TokenizerError("\(file): merge #\(rank) produces \"\(described)\", which is not in the vocab")
            }
            merges[UInt64(a) << 32 | UInt64(b)] = UInt64(rank) << 32 | UInt64(merged)
        }
        self.merges = merges
    }

    /// Appends the ids of one pre-tokenized word (its raw bytes).
    func encode(word: [UInt8], into ids: inout [Int]) {
        if ignoreMerges, let id = vocab.lookup(ByteLevel.string(of: word)) {
            ids.append(id)
            return
        }
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        for byte in word {
            let id = byteIds[Int(byte)]
            if id >= 0 { symbols.append(id) } else if let unknownId { symbols.append(Int32(unknownId)) }
        }
        if symbols.count > 48 {
            mergeWithHeap(&symbols)
        } else {
            mergeByScanning(&symbols)
        }
        for s in symbols { ids.append(Int(s)) }
    }

    @inline(__always)
    private func merge(_ a: Int32, _ b: Int32) -> UInt64? {
        merges[UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))]
    }

    /// Short words: repeatedly merge the lowest-ranked adjacent pair (leftmost on ties).
    private func mergeByScanning(_ symbols: inout [Int32]) {
        guard symbols.count > 1 else { return }
        // ranks[i] = merge of (symbols[i], symbols[i+1]), or UInt64.max.
        var ranks = [UInt64](repeating: .max, count: symbols.count - 1)
        for i in 0..<ranks.count { ranks[i] = merge(symbols[i], symbols[i + 1]) ?? .max }
        while !ranks.isEmpty {
            var best = 0
            for i in 1..<ranks.count where ranks[i] >> 32 < ranks[best] >> 32 { best = i }
            let found = ranks[best]
            if found == .max { break }
            symbols[best] = Int32(truncatingIfNeeded: found & 0xFFFF_FFFF)
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            if best > 0 { ranks[best - 1] = merge(symbols[best - 1], symbols[best]) ?? .max }
            if best < ranks.count { ranks[best] = merge(symbols[best], symbols[best + 1]) ?? .max }
        }
    }

    /// Long words: the same merge order with a priority queue over a linked list (O(n log n)).
    private func mergeWithHeap(_ symbols: inout [Int32]) {
        let n = symbols.count
        var next = [Int](0..<n).map { $0 + 1 }
        var prev = [Int](0..<n).map { $0 - 1 }
        next[n - 1] = -1
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let m = merge(symbols[i], symbols[i + 1]) { heap.push((m >> 32) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = top >> 32
            let pos = Int(top & 0xFFFF_FFFF)
            guard alive[pos], next[pos] >= 0 else { continue }
            let right = next[pos]
            guard let m = merge(symbols[pos], symbols[right]), m >> 32 == rank else { continue }
            symbols[pos] = Int32(truncatingIfNeeded: m & 0xFFFF_FFFF)
            alive[right] = false
            next[pos] = next[right]
            if next[right] >= 0 { prev[next[right]] = pos }
            if prev[pos] >= 0, let left = merge(symbols[prev[pos]], symbols[pos]) {
                heap.push((left >> 32) << 32 | UInt64(prev[pos]))
            }
            if next[pos] >= 0, let after = merge(symbols[pos], symbols[next[pos]]) {
                heap.push((after >> 32) << 32 | UInt64(pos))
            }
        }
        var result: [Int32] = []
        var i = 0
        while i >= 0 { result.append(symbols[i]); i = next[i] }
        symbols = result
    }
}

/// A binary min-heap of (rank << 32 | position) keys: lowest rank first, then leftmost.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count && items[l] < items[smallest] { smallest = l }
                if r < items.count && items[r] < items[smallest] { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return first
    }
}
