// libFuzzer target: the JSON reader and writer. Any input must parse or fail with a JSONSyntaxError;
// whatever parses must write back (every writer style) and read again to the same value.

import SeekJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: count)
    guard let value = try? JSONParser.parse(buffer) else { return 0 }
    for writer in [JSONWriter.python, JSONWriter.template, JSONWriter(ensureASCII: false, indent: "  ", sortKeys: true)] {
        guard let text = try? writer.string(value) else { continue }
        guard let again = try? JSONParser.parse(text) else { fatalError("the writer's output does not parse: \(text)") }
        if !containsNaN(value) && again != value { fatalError("round trip changed the value: \(text)") }
    }
    if let compact = try? JSONWriter.compact.string(value), compact.contains("\n") {
        fatalError("compact output has a newline")
    }
    // The typed accessors never trap, whatever the value.
    let field = JSONField(value)
    _ = try? field["a"]["b"].optionalInt(in: 0...10)
    _ = try? field.members()
    _ = try? field.array().map { try? $0.double() }
    return 0
}

private func containsNaN(_ value: JSON) -> Bool {
    switch value {
    case .double(let d): return d.isNaN
    case .array(let items): return items.contains(where: containsNaN)
    case .object(let o): return o.values.contains(where: containsNaN)
    default: return false
    }
}
