// swift-tools-version:6.0
import PackageDescription

// Layers (dependencies run one way):
//   CBLAS, CReadline (system libraries) → SeekKernels (C SIMD kernels) → SeekEngine (model math)
//   SeekTokenizer, SeekTemplate (text in / text out, no model math)
//   seek (the command line; the only target that links readline)
let optimized: [SwiftSetting] = [
    // The engine's loops are slow without the optimizer; keep them fast in debug test builds too.
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "seek",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "seek", targets: ["seek"]),
        .library(name: "SeekEngine", targets: ["SeekEngine"]),
        .library(name: "SeekTokenizer", targets: ["SeekTokenizer"]),
        .library(name: "SeekTemplate", targets: ["SeekTemplate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline",
                       providers: [.apt(["libreadline-dev"])]),
        .target(name: "SeekKernels", path: "Sources/SeekKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "SeekEngine", dependencies: ["CBLAS", "SeekKernels"],
                swiftSettings: optimized),
        .target(name: "SeekTokenizer", swiftSettings: optimized),
        .target(name: "SeekTemplate"),
        .executableTarget(name: "seek", dependencies: [
            "SeekEngine", "SeekTokenizer", "SeekTemplate", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "TokenizerBench", dependencies: ["SeekTokenizer"]),
        // Test support: the AVX-512 VNNI quantized kernels built for AVX2 with vpdpbusd emulated.
        .target(name: "VNNIEmulation", dependencies: ["SeekKernels"], path: "Tests/VNNIEmulation",
                cSettings: [.unsafeFlags(["-O2"])]),
        .testTarget(name: "SeekEngineTests", dependencies: ["SeekEngine", "SeekKernels", "SeekTokenizer", "VNNIEmulation"]),
        .testTarget(name: "SeekTokenizerTests", dependencies: ["SeekTokenizer"]),
        .testTarget(name: "SeekTemplateTests", dependencies: ["SeekTemplate", "SeekTokenizer"]),
        .testTarget(name: "SeekCLITests", dependencies: ["seek"]),
    ]
)
