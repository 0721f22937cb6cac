// Stands in for SeekEngine's Convert (C kernels) so SafeTensors.swift builds alone for fuzzing; the
// fuzz target never converts tensor data.
enum Convert {
    static func bf16ToFloat(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {}
    static func f16ToFloat(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {}
}
