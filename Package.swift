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
        .target(name: "ExampleSupport", dependencies: ["TensorGraph"], path: "Examples/Support"),
        .executableTarget(name: "mnist-mlp", dependencies: ["TensorGraph"], path: "Examples/MNISTMLP"),
        .executableTarget(name: "mnist-dense", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/MNISTDense"),
        .executableTarget(name: "mnist-cnn-small", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/MNISTCNNSmall"),
        .executableTarget(name: "mnist-embedding", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/MNISTEmbedding"),
        .executableTarget(name: "mnist-cnn", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/MNISTCNN"),
        .executableTarget(name: "fashion-mlp", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/FashionMLP"),
        .executableTarget(name: "fashion-cnn", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/FashionCNN"),
        .executableTarget(name: "mnist-raw", dependencies: ["TensorGraph", "ExampleSupport"], path: "Examples/MNISTRaw"),

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
