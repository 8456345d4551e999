extension OpRegistry {
    /// The Array ops added for graphrun's coverage and training breadth (issues 12 and 13), in this folder.
    nonisolated(unsafe) static let arrayFamily: [any Op.Type] = [
        Tile.self, Split.self, SplitV.self, Unpack.self, ReverseV2.self, RangeOp.self, Cumsum.self, TopKV2.self,
        MirrorPad.self, MirrorPadGrad.self, PadV2.self, Where.self, Size.self, Rank.self, IdentityN.self,
        SpaceToBatchND.self, BatchToSpaceND.self,
    ]
}
