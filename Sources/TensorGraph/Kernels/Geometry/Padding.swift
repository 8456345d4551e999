/// Padding scheme of convolutions and pools, as TensorFlow's `padding` attr.
public enum Padding: String, Sendable {
    case same = "SAME"
    case valid = "VALID"
}
