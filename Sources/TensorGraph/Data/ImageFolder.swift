import Foundation

/// Grayscale PNG images sorted into one sub-folder per class, loaded into memory, as Keras's
/// `image_dataset_from_directory(directory, labels="inferred", color_mode="grayscale")`:
///
/// ```
/// digits/
///   cats/   a.png b.png ...     label 0
///   dogs/   c.png ...           label 1
/// ```
///
/// Class names are the sub-folders' names in sorted order and a label is its class's position in
/// `classNames`. Images are read in that order, and by sorted file name within a class.
/// Files other than `.png` (any case), hidden entries and files directly in `path` are ignored;
/// an empty class sub-folder still takes its label.
public struct ImageFolder: Sendable {
    /// The class sub-folders' names, sorted; label `i` is `classNames[i]`.
    public let classNames: [String]
    /// `[N, height, width, 1]` float32: pixels scaled from 0...255 to 0...1.
    public let images: Tensor
    /// `[N]` int32 class labels.
    public let labels: Tensor
    /// The image files, in the order of `images`' rows.
    public let files: [String]

    /// Reads every PNG under `path`'s class sub-folders.
    ///
    /// - Parameters:
    ///   - path: The folder holding one sub-folder per class.
    ///   - imageSize: When given, each image is resized (area average) to `height × width`; when
    ///     `nil`, every image must have the size of the first one.
    /// - Throws: `TensorGraphError.fileError` naming the folder or file: `path` missing or not a
    ///   folder, no class sub-folders, no PNG images in them, an unreadable or corrupt PNG, or an
    ///   image whose size differs from the first one (without `imageSize`);
    ///   `TensorGraphError.invalidArgument` for a non-positive `imageSize`.
    public init(path: String, imageSize: (height: Int, width: Int)? = nil) throws {
        if let imageSize, imageSize.height <= 0 || imageSize.width <= 0 {
            throw TensorGraphError.invalidArgument("ImageFolder: imageSize \(imageSize.height)×\(imageSize.width) must be positive")
        }
        let classes = try Self.entries(of: path).filter { Self.isDirectory("\(path)/\($0)") }
        guard !classes.isEmpty else {
            throw TensorGraphError.fileError(path: path, message: "no class sub-folders (expected one folder of PNG images per class)")
        }
        var files: [String] = [], labels: [Int32] = []
        for (label, name) in classes.enumerated() {
            let folder = "\(path)/\(name)"
            for file in try Self.entries(of: folder) where file.lowercased().hasSuffix(".png") && !Self.isDirectory("\(folder)/\(file)") {
                files.append("\(folder)/\(file)")
                labels.append(Int32(label))
            }
        }
        guard let firstFile = files.first else {
            throw TensorGraphError.fileError(path: path, message: "no .png images in the class sub-folders \(classes)")
        }

        var size = imageSize
        var pixels: [UInt8] = []
        for file in files {
            var image = try PNG.readGrayscale(file)
            if let size, (image.height, image.width) != size {
                if imageSize == nil {
                    throw TensorGraphError.fileError(
                        path: file, message: "image is \(image.height)×\(image.width) but \(firstFile) is \(size.height)×\(size.width); "
                        + "pass imageSize to resize every image")
                }
                image.pixels = PNG.resize(image.pixels, height: image.height, width: image.width, toHeight: size.height, width: size.width)
            }
            let (height, width) = size ?? (image.height, image.width)
            size = (height, width)
            if pixels.isEmpty { pixels.reserveCapacity(files.count * height * width) }
            pixels.append(contentsOf: image.pixels)
        }
        let (height, width) = size ?? (0, 0)
        self.classNames = classes
        self.files = files
        self.images = Tensor(shape: [files.count, height, width, 1], scalars: pixels.map { Float($0) / 255 })
        self.labels = Tensor(labels)
    }

    /// `[images, labels]` as a dataset: elements `[[height, width, 1] float32, [] int32]`.
    public var dataset: Dataset {
        Dataset(node: .slices, source: [images, labels], count: files.count)
    }

    /// Visible entries of a folder, sorted by name.
    private static func entries(of folder: String) throws -> [String] {
        guard isDirectory(folder) else {
            let exists = FileManager.default.fileExists(atPath: folder)
            throw TensorGraphError.fileError(path: folder, message: exists ? "not a folder" : "no such folder")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw TensorGraphError.fileError(path: folder, message: "cannot list the folder (\(error.localizedDescription))")
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

extension Dataset {
    /// The images of a folder with one sub-folder per class (see `ImageFolder`): elements
    /// `[image [height, width, 1] float32 in 0...1, label [] int32]`, labels from the sorted
    /// sub-folder names. Use `ImageFolder` directly to read the class names.
    ///
    /// - Throws: the errors of `ImageFolder.init(path:imageSize:)`, naming the folder or file.
    public init(imageFolder path: String, imageSize: (height: Int, width: Int)? = nil) throws {
        let folder = try ImageFolder(path: path, imageSize: imageSize)
        self.init(node: .slices, source: [folder.images, folder.labels], count: folder.files.count)
    }
}
