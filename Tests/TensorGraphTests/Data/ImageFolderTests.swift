import Foundation
import TestSupport
import XCTest
@testable import TensorGraph

/// Writes a small class-per-folder PNG dataset: class `c` of `classes` has its bright band in
/// column block `c` (`size`×`size` grayscale, with seeded noise), `perClass` images each.
/// Returns the folder; the class folders are named so that sorting gives class order.
func writeImageFolder(_ name: String, classes: Int, perClass: Int, size: Int = 8, seed: UInt64 = 1) throws -> String {
    let root = try temporaryDirectory(name)
    var random = TestRandom(seed: seed)
    for c in 0..<classes {
        let folder = "\(root)/class-\(c)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<perClass {
            let band = (size / classes) * c..<(size / classes) * (c + 1)
            let pixels = (0..<(size * size)).map { p -> UInt8 in
                let noise = Int(random.next() % 60)
                return UInt8(band.contains(p % size) ? 255 - noise : noise)
            }
            try PNG.writeGrayscale(pixels, height: size, width: size, to: "\(folder)/\(String(format: "%03d", i)).png")
        }
    }
    return root
}

/// `Dataset(imageFolder:)` and `ImageFolder`: labels from sorted sub-folders, pixels, and typed errors.
final class ImageFolderTests: XCTestCase {
    func testLabelsFromSortedSubfoldersAndPixelsScaledToUnitInterval() throws {
        let root = try temporaryDirectory("image-folder")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["zebra", "ant", "mole", ".hidden"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
        }
        try PNG.writeGrayscale([0, 51, 102, 255, 0, 0], height: 2, width: 3, to: "\(root)/zebra/z.png")
        try PNG.writeGrayscale([255, 255, 255, 255, 255, 255], height: 2, width: 3, to: "\(root)/ant/b.PNG")
        try PNG.writeGrayscale([0, 0, 0, 0, 0, 0], height: 2, width: 3, to: "\(root)/ant/a.png")
        try PNG.writeGrayscale([0, 0, 0, 0, 0, 0], height: 2, width: 3, to: "\(root)/.hidden/h.png")
        try PNG.writeGrayscale([0], height: 1, width: 1, to: "\(root)/top-level.png")
        try writeFileAtomically(Array("notes".utf8), to: "\(root)/ant/readme.txt")

        let folder = try ImageFolder(path: root)
        XCTAssertEqual(folder.classNames, ["ant", "mole", "zebra"], "sorted; hidden folders and top-level files ignored")
        XCTAssertEqual(folder.files, ["\(root)/ant/a.png", "\(root)/ant/b.PNG", "\(root)/zebra/z.png"])
        XCTAssertEqual(folder.labels, Tensor([Int32(0), 0, 2]), "the empty class 'mole' keeps label 1")
        XCTAssertEqual(folder.images.shape, [3, 2, 3, 1])

        let elements = Array(try Dataset(imageFolder: root))
        XCTAssertEqual(elements.count, 3)
        XCTAssertEqual(elements[2][0], Tensor(shape: [2, 3, 1], scalars: [Float(0), 0.2, 0.4, 1, 0, 0]))
        XCTAssertEqual(elements[2][1], Tensor(Int32(2)))
    }

    func testResizesToImageSizeAndRejectsMixedSizesWithoutIt() throws {
        let root = try temporaryDirectory("image-folder-sizes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/a", withIntermediateDirectories: true)
        try PNG.writeGrayscale([UInt8](repeating: 255, count: 4), height: 2, width: 2, to: "\(root)/a/1.png")
        try PNG.writeGrayscale([UInt8](repeating: 51, count: 16), height: 4, width: 4, to: "\(root)/a/2.png")
        assertThrows(["\(root)/a/2.png", "image is 4×4 but \(root)/a/1.png is 2×2", "imageSize"]) { try ImageFolder(path: root) }
        let resized = try ImageFolder(path: root, imageSize: (height: 2, width: 2))
        XCTAssertEqual(resized.images, Tensor(shape: [2, 2, 2, 1], scalars: [Float](repeating: 1, count: 4) + [Float](repeating: 0.2, count: 4)))
        assertThrows(["imageSize 0×2 must be positive"]) { try ImageFolder(path: root, imageSize: (height: 0, width: 2)) }
    }

    func testBadFoldersAndFilesThrowTypedErrorsNamingThem() throws {
        let root = try temporaryDirectory("image-folder-bad")
        defer { try? FileManager.default.removeItem(atPath: root) }
        assertThrows([root, "no class sub-folders"]) { try Dataset(imageFolder: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/cats", withIntermediateDirectories: true)
        assertThrows([root, "no .png images"]) { try Dataset(imageFolder: root) }
        try writeFileAtomically(Array("not a png".utf8), to: "\(root)/cats/broken.png")
        do {
            _ = try Dataset(imageFolder: root)
            XCTFail("an unreadable PNG must throw")
        } catch let TensorGraphError.fileError(path, message) {
            XCTAssertEqual(path, "\(root)/cats/broken.png")
            XCTAssert(message.contains("not a readable PNG"), message)
        }
        assertThrows(["\(root)/missing", "no such folder"]) { try Dataset(imageFolder: "\(root)/missing") }
        assertThrows(["\(root)/cats/broken.png", "not a folder"]) { try Dataset(imageFolder: "\(root)/cats/broken.png") }
    }
}
