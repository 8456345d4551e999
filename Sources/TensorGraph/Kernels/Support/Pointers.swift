/// A kernel's pointer as float32, for the C loops; callers check `T.self == Float.self`.
@inline(__always) func floats<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
@inline(__always) func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}
/// A mutable tensor pointer read as float32 input (for C calls taking `const float *`); callers check `T.self == Float.self`.
/// Named apart from `floats` so the two overloads never make a call ambiguous.
@inline(__always) func readOnlyFloats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
