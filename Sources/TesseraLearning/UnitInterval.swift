import TesseraRandom

extension RandomSource {
    /// A uniform double in [0, 1): the top 53 bits of a uniform 64-bit word times 2⁻⁵³,
    /// so every value is an exact multiple of 2⁻⁵³ and none is lost to rounding.
    mutating func unitDouble() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }
}
