// swift-tools-version:6.0
import PackageDescription

// Layers (dependencies run one way):
//   CBLAS, CReadline (system libraries) → SeekKernels (C SIMD kernels) → SeekEngine (model math)
//   SeekJSON (the one JSON reader and writer, used by every layer above it)
//   SeekTokenizer, SeekTemplate (text in / text out, no model math)
//   SeekChat (models by name, loading, prompts, conversations, generation with text; prints nothing)
//   SeekServer (OpenAI-compatible HTTP server, slot scheduler), SeekRemote (OpenAI-compatible client)
//   seek (the command line: flags, the REPL, output; the only target that links readline)
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
        .library(name: "SeekJSON", targets: ["SeekJSON"]),
        .library(name: "SeekTokenizer", targets: ["SeekTokenizer"]),
        .library(name: "SeekTemplate", targets: ["SeekTemplate"]),
        .library(name: "SeekChat", targets: ["SeekChat"]),
        .library(name: "SeekServer", targets: ["SeekServer"]),
        .library(name: "SeekRemote", targets: ["SeekRemote"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline",
                       providers: [.apt(["libreadline-dev"])]),
        .target(name: "SeekKernels", path: "Sources/SeekKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "SeekJSON", swiftSettings: optimized),
        .target(name: "SeekEngine", dependencies: ["CBLAS", "SeekKernels", "SeekJSON"],
                swiftSettings: optimized),
        .target(name: "SeekTokenizer", dependencies: ["SeekJSON"], swiftSettings: optimized),
        .target(name: "SeekTemplate", dependencies: ["SeekJSON"], swiftSettings: optimized),
        .target(name: "SeekChat", dependencies: ["SeekEngine", "SeekJSON", "SeekTokenizer", "SeekTemplate"]),
        .target(name: "SeekServer", dependencies: [
            "SeekEngine", "SeekJSON", "SeekTokenizer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "SeekRemote", dependencies: [
            "SeekJSON", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "seek", dependencies: [
            "SeekChat", "SeekEngine", "SeekJSON", "SeekTokenizer", "SeekTemplate", "SeekServer", "SeekRemote", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "TokenizerBench", dependencies: ["SeekTokenizer", "SeekJSON"]),
        // Test support: the AVX-512 VNNI quantized kernels built for AVX2 with vpdpbusd emulated.
        .target(name: "VNNIEmulation", dependencies: ["SeekKernels"], path: "Tests/VNNIEmulation",
                cSettings: [.unsafeFlags(["-O2"])]),
        .testTarget(name: "SeekEngineTests", dependencies: ["SeekEngine", "SeekKernels", "SeekTokenizer", "VNNIEmulation", "SeekJSON", "CorruptInputs"]),
        // Test support: systematically corrupted variants of valid inputs.
        .target(name: "CorruptInputs", dependencies: ["SeekJSON"], path: "Tests/CorruptInputs"),
        .testTarget(name: "SeekJSONTests", dependencies: ["SeekJSON", "CorruptInputs"]),
        .testTarget(name: "SeekTokenizerTests", dependencies: ["SeekTokenizer", "SeekJSON", "CorruptInputs"],
                    exclude: ["Regressions"]),
        .testTarget(name: "SeekTemplateTests", dependencies: ["SeekTemplate", "SeekTokenizer", "CorruptInputs"]),
        .testTarget(name: "SeekChatTests", dependencies: ["SeekChat", "SeekEngine", "SeekTokenizer", "SeekTemplate"]),
        // Help/ holds the expected `--help` texts, read from the source tree.
        .testTarget(name: "SeekCLITests", dependencies: ["seek", "SeekChat", "SeekEngine"], exclude: ["Help"]),
        // A scripted predictor over tiny-chat's tokenizer, for the server tests and the fixture server
        // that Tests/Python/test_openai_client.py talks to.
        .target(name: "SeekServerTestSupport", dependencies: ["SeekServer", "SeekChat", "SeekEngine", "SeekTokenizer", "SeekTemplate"],
                path: "Tests/SeekServerTestSupport"),
        .executableTarget(name: "SeekServerFixture", dependencies: ["SeekServer", "SeekServerTestSupport"],
                          path: "Tests/SeekServerFixture"),
        .testTarget(name: "SeekServerTests", dependencies: [
            "SeekServer", "SeekServerTestSupport", "SeekEngine", "SeekTokenizer", "SeekTemplate", "SeekRemote",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "SeekRemoteTests", dependencies: [
            "SeekRemote", .product(name: "Hummingbird", package: "hummingbird"),
        ], resources: [.copy("Streams")]),
    ]
)
