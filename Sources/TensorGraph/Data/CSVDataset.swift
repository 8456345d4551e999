import Foundation
import SwiftCSV

extension Dataset {
    /// The rows of a CSV file with a header row, parsed by SwiftCSV: numeric feature columns become
    /// one float32 vector per row and `labelColumn`, when given, an int32 label.
    ///
    /// ```
    /// sepal_length,sepal_width,species
    /// 5.1,3.5,0
    /// ```
    /// `Dataset(csvFile: "iris.csv", labelColumn: "species")` gives elements
    /// `[features [2] float32, label [] int32]`; without `labelColumn`, `[features]` only.
    ///
    /// Shapes: the source tensors are `[rows, features.count]` float32 and `[rows]` int32. Cells are
    /// trimmed of spaces; quoted cells follow RFC 4180; blank lines are skipped.
    ///
    /// - Parameters:
    ///   - path: The CSV file (UTF-8).
    ///   - labelColumn: The header name of the integer label column, or `nil` for no labels.
    ///   - featureColumns: The header names of the feature columns, in the order wanted; `nil` takes
    ///     every column but the label, in file order.
    ///   - delimiter: The cell separator (`,` by default; `;` and `\t` are common too).
    /// - Throws: `TensorGraphError.fileError` naming the file and what was wrong: missing or not
    ///   UTF-8, malformed quoting, no header or no data rows, a column named that the header lacks,
    ///   a row with a different number of cells than the header, or a cell (row, column, text) that
    ///   is not a number (not an integer, for the label column).
    public init(csvFile path: String, labelColumn: String? = nil, featureColumns: [String]? = nil,
                delimiter: Character = ",") throws {
        func fail(_ message: String) -> TensorGraphError { .fileError(path: path, message: "CSV: \(message)") }
        guard let text = String(validating: try readWholeFile(path), as: UTF8.self) else { throw fail("not UTF-8 text") }

        var header: [String] = [], rows: [[String]] = []
        do {
            // rowLimit 0: the initializer parses only the header; the rows are read once, below,
            // as they are (SwiftCSV's `rows` pads short rows, which would hide a missing cell).
            let csv = try EnumeratedCSV(string: text, delimiter: .character(delimiter), loadColumns: false, rowLimit: 0)
            header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
            try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { fields in
                if fields != [""] { rows.append(fields) }
            }
        } catch let error as CSVParseError {
            switch error {
            case let .generic(message), let .quotation(message):
                throw fail("cannot parse (\(message))")
            }
        } catch {
            throw fail("cannot parse (\(error))")
        }
        guard !header.isEmpty, header != [""] else { throw fail("no header row") }
        guard !rows.isEmpty else { throw fail("no data rows after the header \(header)") }

        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw fail("no column '\(name)' in the header \(header)") }
            return index
        }
        let labelIndex = try labelColumn.map(column)
        let featureIndices = try featureColumns.map { try $0.map(column) } ?? header.indices.filter { $0 != labelIndex }
        guard !featureIndices.isEmpty else { throw fail("no feature columns (the header is \(header))") }

        var features: [Float] = [], labels: [Int32] = []
        features.reserveCapacity(rows.count * featureIndices.count)
        for (number, fields) in zip(1..., rows) {
            guard fields.count == header.count else {
                throw fail("row \(number) after the header has \(fields.count) cells, the header has \(header.count)")
            }
            for index in featureIndices {
                let cell = fields[index].trimmingCharacters(in: .whitespaces)
                guard let value = Float(cell) else {
                    throw fail("row \(number) after the header, column '\(header[index])': '\(cell)' is not a number")
                }
                features.append(value)
            }
            if let labelIndex {
                let cell = fields[labelIndex].trimmingCharacters(in: .whitespaces)
                guard let label = Int32(cell) else {
                    throw fail("row \(number) after the header, label column '\(header[labelIndex])': '\(cell)' is not an integer")
                }
                labels.append(label)
            }
        }
        let featureTensor = Tensor(shape: [rows.count, featureIndices.count], scalars: features)
        let source = labelIndex == nil ? [featureTensor] : [featureTensor, Tensor(labels)]
        self.init(node: .slices, source: source, count: rows.count)
    }
}
