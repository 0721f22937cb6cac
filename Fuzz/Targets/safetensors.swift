// libFuzzer target: the safetensors header parser. The input is a whole file (8-byte header length,
// JSON header, data); parsing must give tensor views that lie inside the data, or a ModelFileError.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    do {
        let (tensors, _) = try SafeTensorsFile.parseHeader(base: UnsafeRawPointer(data), fileSize: count, name: "fuzz.safetensors")
        for tensor in tensors.values {
            let start = tensor.data - UnsafeRawPointer(data)
            guard start >= 8, start + tensor.byteCount <= count else { fatalError("tensor \(tensor.name) lies outside the file") }
            if tensor.byteCount > 0 {
                // Touch the first and last byte, so ASan sees any view outside the input.
                _ = tensor.data.load(as: UInt8.self)
                _ = (tensor.data + tensor.byteCount - 1).load(as: UInt8.self)
            }
        }
    } catch is ModelFileError {
    } catch {
        fatalError("not a ModelFileError: \(error)")
    }
    return 0
}
