extension Dataset {
    /// The slices of `.npy` files, one file per component, as `from_tensor_slices` over arrays saved
    /// by NumPy: `Dataset(npyFiles: ["x.npy", "y.npy"])` gives elements `[x[i], y[i]]`.
    ///
    /// Shapes: a file of shape `[N, d...]` gives elements `[d...]`; every file needs the same `N`.
    /// Dtypes are kept (float32, float64, int32, int64, uint8, bool).
    ///
    /// - Throws: `TensorGraphError.fileError` naming the file for a missing, unreadable or malformed
    ///   file; `TensorGraphError.invalidArgument` listing each file's shape when the lengths differ.
    public init(npyFiles paths: [String]) throws {
        try self.init(tensors: paths.map { try NPY.read($0) }, names: paths)
    }

    /// The slices of IDX files (plain or `.gz`), one file per component:
    /// `Dataset(idxFiles: ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])` gives
    /// elements `[image [28, 28] uint8, label [] uint8]`.
    ///
    /// Shapes: a file of shape `[N, d...]` gives elements `[d...]`; every file needs the same `N`.
    /// Dtypes are the file's (MNIST's are uint8: cast and scale in the graph or with `map`).
    ///
    /// - Throws: `TensorGraphError.fileError` naming the file for a missing file or a bad header or
    ///   payload; `TensorGraphError.invalidArgument` listing each file's shape when the lengths differ.
    public init(idxFiles paths: [String]) throws {
        try self.init(tensors: paths.map { try IDX.read($0) }, names: paths)
    }
}
