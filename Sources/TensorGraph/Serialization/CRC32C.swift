/// CRC-32C (Castagnoli), the checksum of TensorFlow's tables, checkpoints and TFRecord files.
///
/// Polynomial 0x82F63B78 (reflected), initial value and final xor 0xFFFFFFFF, as
/// `tensorflow/core/lib/hash/crc32c.h`: `value([UInt8](repeating: 0, count: 32)) == 0x8a9136aa`,
/// `value(Array("123456789".utf8)) == 0xe3069283`.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    public static func value(_ bytes: some Sequence<UInt8>) -> UInt32 {
        extend(0, bytes)
    }

    /// The CRC-32C of `A + bytes`, given `crc` = the CRC-32C of `A` (TF's `crc32c::Extend`).
    public static func extend(_ crc: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
        var state = ~crc
        for byte in bytes { state = table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8) }
        return ~state
    }

    /// The masked form TF stores (`crc32c::Mask`): `((crc >> 15) | (crc << 17)) + 0xa282ead8`.
    ///
    /// Storing the CRC of data that itself contains CRCs is weak, so TF rotates and offsets it.
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// Inverts `mask` (`crc32c::Unmask`).
    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }
}
