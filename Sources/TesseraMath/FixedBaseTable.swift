import CGMP

/// Fixed-base exponentiation by precomputed windows (Brickell–Gordon–McCurley–Wilson 1992,
/// "Fast exponentiation with precomputation", §3; the simple fixed-window variant of
/// Menezes–van Oorschot–Vanstone, Handbook of Applied Cryptography, Algorithm 14.109).
///
/// For a base g modulo M and exponents of at most `exponentBits` bits, the table holds
/// `row[i][j] = g^(j · 2^(w·i)) mod M` for every window i and digit j < 2^w. Then
/// g^x = ∏ᵢ row[i][digitᵢ(x)]: ⌈exponentBits / w⌉ modular multiplications and no squarings,
/// against about exponentBits squarings for a plain exponentiation. The price is memory:
/// ⌈exponentBits / w⌉ · 2^w entries of |M| bits (w = 8, |M| = 4096: 256 · 256 · 512 B = 32 MiB).
///
/// Lookup modes. `.direct` indexes the row by the digit: fastest, but the memory address
/// depends on the (secret) exponent, so a cache-timing observer on the same machine learns
/// about it. `.constantTime` reads every entry of every row with GMP's `mpn_sec_tabselect`
/// and multiplies for zero digits too: no exponent-dependent access, at the cost of reading
/// the whole table per exponentiation (use a small window, w = 4 or 5, with it).
public final class FixedBaseTable: @unchecked Sendable {
    public enum Lookup: String, Sendable, CaseIterable { case direct, constantTime = "constant-time" }

    public let modulus: BigInt
    public let windowBits: Int
    public let exponentBits: Int
    public let lookup: Lookup
    private let rows: Int
    private let entriesPerRow: Int
    private let limbs: Int
    private let table: [UInt]  // rows × entriesPerRow × limbs, little-endian limbs

    /// Precomputes the table: rows · 2^w modular multiplications.
    public init(base: BigInt, modulus: BigInt, exponentBits: Int, windowBits: Int = 8, lookup: Lookup = .direct) {
        precondition((1...12).contains(windowBits), "window of 1...12 bits")
        precondition(exponentBits > 0 && modulus.signum > 0)
        self.modulus = modulus
        self.windowBits = windowBits
        self.exponentBits = exponentBits
        self.lookup = lookup
        let rows = (exponentBits + windowBits - 1) / windowBits
        let entriesPerRow = 1 << windowBits
        let limbs = max(1, tz_size_limbs(modulus.z))
        self.rows = rows
        self.entriesPerRow = entriesPerRow
        self.limbs = limbs
        var table = [UInt](repeating: 0, count: rows * entriesPerRow * limbs)
        var rowBase = base.modulo(modulus)  // g^(2^(w·i))
        table.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for _ in 0..<rows {
                var power = BigInt(1)
                for _ in 0..<entriesPerRow {
                    tz_export_limbs(buffer.baseAddress! + offset, limbs, power.z)
                    offset += limbs
                    power.formProduct(rowBase, modulus: modulus)
                }
                rowBase = power  // g^(2^w · 2^(w·i)) = g^(2^(w·(i+1)))
            }
        }
        self.table = table
    }

    /// Bytes held by the table.
    public var memoryBytes: Int { table.count * MemoryLayout<UInt>.size }

    /// base^x mod M for 0 ≤ x < 2^exponentBits.
    public func power(_ x: BigInt) -> BigInt {
        precondition(!x.isNegative && x.bitWidth <= exponentBits, "exponent outside the table's range")
        let digits = Self.digits(of: x, windowBits: windowBits, count: rows)
        var acc = BigInt(1)
        let accZ = acc.mutableZ()
        table.withUnsafeBufferPointer { tab in
            switch lookup {
            case .direct:
                for i in 0..<rows where digits[i] != 0 {
                    tz_mulmod_limbs(accZ, tab.baseAddress! + (i * entriesPerRow + digits[i]) * limbs, limbs, modulus.z)
                }
            case .constantTime:
                var selected = [UInt](repeating: 0, count: limbs)
                selected.withUnsafeMutableBufferPointer { sel in
                    for i in 0..<rows {
                        tz_tabselect(sel.baseAddress!, tab.baseAddress! + i * entriesPerRow * limbs,
                                     limbs, entriesPerRow, digits[i])
                        tz_mulmod_limbs(accZ, sel.baseAddress!, limbs, modulus.z)
                    }
                    for j in 0..<limbs { sel[j] = 0 }
                }
            }
        }
        return acc
    }

    /// The base-2^w digits of x, least significant first.
    static func digits(of x: BigInt, windowBits w: Int, count: Int) -> [Int] {
        let bytes = Array(x.bigEndianBytes().reversed())  // little-endian
        var digits = [Int](repeating: 0, count: count)
        for i in 0..<count {
            var d = 0
            let firstBit = i * w
            for b in 0..<w {
                let bit = firstBit + b
                let byte = bit >> 3
                if byte < bytes.count, (bytes[byte] >> UInt8(bit & 7)) & 1 == 1 { d |= 1 << b }
            }
            digits[i] = d
        }
        return digits
    }
}
