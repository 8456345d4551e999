// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "TensorGraph",
    products: [
        .library(name: "TensorGraph", targets: ["TensorGraph"]),
    ],
    targets: [
        // MARK: System C libraries (Debian: libopenblas-dev, zlib1g-dev)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // MARK: The library
        .target(
            name: "TensorGraph",
            dependencies: ["CBLAS", "CZlib"],
            path: "Sources/TensorGraph"
        ),

        // MARK: Examples, one executable per seed model
        .executableTarget(
            name: "mnist-mlp",
            dependencies: ["TensorGraph"],
            path: "Examples/MNISTMLP"
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["TensorGraph"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "TensorGraphTests",
            dependencies: ["TensorGraph", "TestSupport"],
            path: "Tests/TensorGraphTests"
        ),
    ]
)
