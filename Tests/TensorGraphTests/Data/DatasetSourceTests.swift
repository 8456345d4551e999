import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Each source of `Dataset`: tensors, .npy, IDX, CSV (and their typed errors).
final class DatasetSourceTests: XCTestCase {
    /// Rows 0..<n of a [n, 2] float32 tensor: row i is [10i, 10i + 1].
    func features(_ n: Int) -> Tensor { Tensor(shape: [n, 2], scalars: (0..<n).flatMap { [Float(10 * $0), Float(10 * $0 + 1)] }) }

    func testTensorSlicesGiveOneElementPerRow() throws {
        let labels = Tensor((0..<5).map { Int32($0 * 2) })
        let dataset = try Dataset(tensors: [features(5), labels])
        XCTAssertEqual(dataset.count, 5)
        let elements = Array(dataset)
        XCTAssertEqual(elements.count, 5)
        XCTAssertEqual(elements[3][0], Tensor([Float(30), 31]))
        XCTAssertEqual(elements[3][1], Tensor(Int32(6)), "a [N] component slices to scalars")
    }

    func testTensorSlicesRejectMismatchedLengthsScalarsAndNothing() {
        assertThrows(["first dimensions differ", "component 0 has shape [5, 2]", "component 1 has shape [4]"]) {
            try Dataset(tensors: [features(5), Tensor((0..<4).map(Int32.init))])
        }
        assertThrows(["component 1 is a scalar"]) { try Dataset(tensors: [features(1), Tensor(Int32(1))]) }
        assertThrows(["no tensors"]) { try Dataset(tensors: []) }
    }

    func testNPYFilesAreComponentsAndErrorsNameTheFiles() throws {
        let dir = try temporaryDirectory("dataset-npy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try NPY.write(features(6), to: "\(dir)/x.npy")
        try NPY.write(Tensor((0..<6).map { Int64($0) }), to: "\(dir)/y.npy")
        try NPY.write(Tensor((0..<4).map { Int64($0) }), to: "\(dir)/short.npy")
        let dataset = try Dataset(npyFiles: ["\(dir)/x.npy", "\(dir)/y.npy"])
        XCTAssertEqual(dataset.count, 6)
        let last = try XCTUnwrap(Array(dataset).last)
        XCTAssertEqual(last, [Tensor([Float(50), 51]), Tensor(Int64(5))])
        assertThrows(["\(dir)/x.npy has shape [6, 2]", "\(dir)/short.npy has shape [4]"]) {
            try Dataset(npyFiles: ["\(dir)/x.npy", "\(dir)/short.npy"])
        }
        assertThrows(["\(dir)/missing.npy", "no such file"]) { try Dataset(npyFiles: ["\(dir)/missing.npy"]) }
    }

    func testIDXFilesPlainAndGzip() throws {
        let dir = try temporaryDirectory("dataset-idx")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Plain IDX: 3 images of 2×2 uint8 and 3 uint8 labels.
        let images: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2] + Array(0..<12)
        let labels: [UInt8] = [0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]
        try writeFileAtomically(images, to: "\(dir)/images-idx3-ubyte")
        try writeFileAtomically(labels, to: "\(dir)/labels-idx1-ubyte")
        let plain = Array(try Dataset(idxFiles: ["\(dir)/images-idx3-ubyte", "\(dir)/labels-idx1-ubyte"]))
        XCTAssertEqual(plain.count, 3)
        XCTAssertEqual(plain[1], [Tensor(shape: [2, 2], scalars: [UInt8(4), 5, 6, 7]), Tensor(UInt8(8))])

        // The MNIST test split shipped with the repository (gzip).
        let mnist = try XCTUnwrap(MNIST.locateBundled())
        let test = try Dataset(idxFiles: ["\(mnist)/t10k-images-idx3-ubyte.gz", "\(mnist)/t10k-labels-idx1-ubyte.gz"])
        XCTAssertEqual(test.count, 10_000)
        var iterator = test.makeIterator()
        let first = try XCTUnwrap(iterator.next())
        XCTAssertEqual(first[0].shape, [28, 28])
        XCTAssertEqual(first[1], Tensor(UInt8(7)), "the first MNIST test digit is a 7")
        assertThrows(["\(dir)/images-idx3-ubyte has shape [3, 2, 2]", "t10k-labels-idx1-ubyte.gz has shape [10000]"]) {
            try Dataset(idxFiles: ["\(dir)/images-idx3-ubyte", "\(mnist)/t10k-labels-idx1-ubyte.gz"])
        }
    }

    func testCSVNumericFeaturesAndIntegerLabels() throws {
        let dir = try temporaryDirectory("dataset-csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/iris.csv"
        try writeFileAtomically(Array("""
            sepal_length, sepal_width,"species"
            5.1,3.5,0
            "4.9", 3.0 ,1

            6.2,-2.5e0,2

            """.utf8), to: path)
        let elements = Array(try Dataset(csvFile: path, labelColumn: "species"))
        XCTAssertEqual(elements.count, 3, "blank lines are skipped")
        XCTAssertEqual(elements[1], [Tensor([Float(4.9), 3.0]), Tensor(Int32(1))])
        XCTAssertEqual(elements[2], [Tensor([Float(6.2), -2.5]), Tensor(Int32(2))])

        let chosen = Array(try Dataset(csvFile: path, featureColumns: ["sepal_width", "species"]))
        XCTAssertEqual(chosen[0], [Tensor([Float(3.5), 0])], "no label column: features only, in the order asked")

        try writeFileAtomically(Array("a;b\n1;2\n3;4\n".utf8), to: "\(dir)/semicolon.csv")
        let semicolon = try Dataset(csvFile: "\(dir)/semicolon.csv", labelColumn: "b", delimiter: ";").batch(2)
        XCTAssertEqual(Array(semicolon).first, [Tensor(shape: [2, 1], scalars: [Float(1), 3]), Tensor([Int32(2), 4])])
    }

    func testCSVBadInputThrowsTypedErrorsNamingTheFileRowAndColumn() throws {
        let dir = try temporaryDirectory("dataset-csv-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func write(_ name: String, _ text: String) throws -> String {
            try writeFileAtomically(Array(text.utf8), to: "\(dir)/\(name)")
            return "\(dir)/\(name)"
        }
        let badCell = try write("bad-cell.csv", "x,y,label\n1,2,0\n3,abc,1\n")
        do {
            _ = try Dataset(csvFile: badCell, labelColumn: "label")
            XCTFail("a non-numeric cell must throw")
        } catch let TensorGraphError.fileError(path, message) {
            XCTAssertEqual(path, badCell)
            XCTAssert(message.contains("row 2 after the header, column 'y': 'abc' is not a number"), message)
        }
        let empty = try write("empty-cell.csv", "x,y\n1,\n")
        assertThrows([empty, "column 'y': '' is not a number"]) { try Dataset(csvFile: empty) }
        let badLabel = try write("bad-label.csv", "x,label\n1,0.5\n")
        assertThrows([badLabel, "label column 'label': '0.5' is not an integer"]) { try Dataset(csvFile: badLabel, labelColumn: "label") }
        let short = try write("short.csv", "x,y,label\n1,2,0\n3,1\n")
        assertThrows([short, "row 2 after the header has 2 cells, the header has 3"]) { try Dataset(csvFile: short, labelColumn: "label") }
        assertThrows([short, "no column 'class'", "[\"x\", \"y\", \"label\"]"]) { try Dataset(csvFile: short, labelColumn: "class") }
        let headerOnly = try write("header-only.csv", "x,y\n")
        assertThrows([headerOnly, "no data rows"]) { try Dataset(csvFile: headerOnly) }
        let nothing = try write("nothing.csv", "")
        assertThrows([nothing, "no header row"]) { try Dataset(csvFile: nothing) }
        let quote = try write("quote.csv", "x,y\n\"1\"2,3\n")
        assertThrows([quote, "cannot parse"]) { try Dataset(csvFile: quote) }
        try writeFileAtomically([0x78, 0x0A, 0xFF, 0xFE, 0x0A], to: "\(dir)/latin.csv")
        assertThrows(["latin.csv", "not UTF-8"]) { try Dataset(csvFile: "\(dir)/latin.csv") }
        assertThrows(["\(dir)/missing.csv", "no such file"]) { try Dataset(csvFile: "\(dir)/missing.csv") }
    }
}
