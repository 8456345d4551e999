/// The attributes of the `Apply*` training ops: `T` (the kernels' float types; TF allows every
/// number type), `use_locking` (TF's locking hint, kept so graphs round-trip; updates here are never
/// concurrent), and for ApplyMomentum and ApplyAdam `use_nesterov`.
public struct UpdateAttributes<Variant: UpdateVariant>: OpAttributes {
    /// TF attribute `T`: the element type of the variable, any slots and the scalar inputs (float or double here).
    public var T: DType = .float
    /// TF attribute `use_locking`: a locking hint; kept so graphs round-trip, never read.
    public var useLocking = false
    /// TF attribute `use_nesterov` (ApplyMomentum and ApplyAdam only): the Nesterov form of the update;
    /// ApplyAdam rejects true.
    public var useNesterov = false
    public static var defaults: Self { Self() }
    public static var fields: [AttrField<Self>] {
        var list: [AttrField<Self>] = [.type("T", \.T, oneOf: .floats), .bool("use_locking", \.useLocking)]
        if Variant.hasNesterov { list.append(.bool("use_nesterov", \.useNesterov)) }
        return list
    }
}

/// Whether an update op declares `use_nesterov`.
public protocol UpdateVariant { static var hasNesterov: Bool { get } }
/// ApplyMomentum, ApplyAdam.
public enum WithNesterov: UpdateVariant { public static let hasNesterov = true }
/// ApplyGradientDescent, ApplyRMSProp.
public enum WithoutNesterov: UpdateVariant { public static let hasNesterov = false }
