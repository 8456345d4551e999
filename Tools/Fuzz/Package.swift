// swift-tools-version:6.0
// libFuzzer targets for TensorGraph's file readers: built apart from the main package (its own .build)
// because everything, TensorGraph included, is compiled with `-sanitize=fuzzer,address`. Run Tools/fuzz.sh.
import PackageDescription

let package = Package(
    name: "TensorGraphFuzz",
    dependencies: [.package(name: "TensorGraph", path: "../..")],
    targets: [
        // One binary for every target: LLVMFuzzerTestOneInput dispatches on TENSORGRAPH_FUZZ_TARGET, so
        // the sanitized TensorGraph is linked once. libFuzzer supplies `main`, hence `-parse-as-library`.
        .executableTarget(
            name: "tgfuzz",
            dependencies: [.product(name: "TensorGraph", package: "TensorGraph")],
            path: "Sources/tgfuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
