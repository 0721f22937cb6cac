import SeekKernels

/// Element conversions between stored dtypes and float32 (thin wrappers over the C kernels).
enum Convert {
    static func bf16ToFloat(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        sk_bf16_to_f32(src, dst, n)
    }

    static func f16ToFloat(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        sk_f16_to_f32(src, dst, n)
    }
}
