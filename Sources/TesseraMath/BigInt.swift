import CGMP
import TesseraRandom

/// An arbitrary-precision signed integer over GMP's `mpz_t`.
///
/// Value semantics: a `BigInt` owns its `mpz_t` through a reference-counted box that is
/// copied before any in-place mutation (copy-on-write), so sharing a value never shares a
/// mutation. Every box scrubs its limbs before releasing them, and GMP is switched to an
/// allocator that scrubs every block it frees or moves, so secret values (primes, key shares,
/// exponents) do not linger in freed memory.
///
/// Exponentiation comes in two kinds: `power(_:modulus:)` (`mpz_powm`, variable time, for
/// public exponents) and `powerSecret(_:modulus:)` (`mpz_powm_sec`, whose memory access
/// pattern and timing do not depend on the exponent) for secret exponents.
public struct BigInt: @unchecked Sendable {
    final class Box {
        let z: UnsafeMutablePointer<tessera_mpz>
        init() {
            BigInt.installAllocator
            z = .allocate(capacity: 1)
            tz_init(z)
        }
        deinit {
            tz_scrub(z)
            tz_clear(z)
            z.deallocate()
        }
    }

    private static let installAllocator: Void = tz_install_scrubbing_allocator()

    var box: Box

    /// Builds a value by letting `body` write into a fresh `mpz_t`.
    @inline(__always)
    init(build body: (UnsafeMutablePointer<tessera_mpz>) -> Void) {
        box = Box()
        body(box.z)
    }

    @inline(__always)
    var z: UnsafeMutablePointer<tessera_mpz> { box.z }

    @inline(__always)
    mutating func mutableZ() -> UnsafeMutablePointer<tessera_mpz> {
        if !isKnownUniquelyReferenced(&box) {
            let old = box
            box = Box()
            tz_set(box.z, old.z)
        }
        return box.z
    }

    public init() { self.init(build: { _ in }) }

    public init(_ value: Int) { self.init(build: { tz_set_si($0, value) }) }

    /// Parses lowercase or uppercase hexadecimal, optionally with a leading minus sign.
    /// Returns nil for an empty string or a non-hex character.
    public init?(hex: String) {
        var digits = Substring(hex)
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }) else { return nil }
        var ok = true
        self.init(build: { z in ok = tz_set_str(z, String(digits), 16) == 0 })
        guard ok else { return nil }
        if negative { self = -self }
    }

    /// Parses base-10 digits with an optional leading minus sign.
    public init?(decimal: String) {
        var digits = Substring(decimal)
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var ok = true
        self.init(build: { z in ok = tz_set_str(z, String(digits), 10) == 0 })
        guard ok else { return nil }
        if negative { self = -self }
    }

    /// The non-negative integer whose big-endian bytes are `bytes`.
    public init<Bytes: Collection>(bigEndian bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        self.init(build: { z in
            array.withUnsafeBytes { raw in
                if raw.count > 0 { tz_import_be(z, raw.count, raw.baseAddress!) }
            }
        })
    }

    // MARK: - Conversions

    /// Lowercase hexadecimal without leading zeros ("0" for zero); a minus sign if negative.
    public var hex: String { toString(base: 16) }
    public var decimal: String { toString(base: 10) }

    private func toString(base: Int32) -> String {
        let size = tz_sizeinbase(z, base) + 2
        var buffer = [CChar](repeating: 0, count: size)
        _ = tz_get_str(&buffer, base, z)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Big-endian bytes of the magnitude, left-padded with zeros to `length` if given.
    /// Precondition: the magnitude fits in `length` bytes.
    public func bigEndianBytes(length: Int? = nil) -> [UInt8] {
        let needed = isZero ? 0 : (bitWidth + 7) / 8
        var out = [UInt8](repeating: 0, count: needed)
        if needed > 0 {
            var count = 0
            out.withUnsafeMutableBytes { tz_export_be($0.baseAddress!, &count, z) }
            precondition(count == needed)
        }
        guard let length else { return out }
        precondition(needed <= length, "value of \(needed) bytes does not fit in \(length)")
        return [UInt8](repeating: 0, count: length - needed) + out
    }

    /// The value as an `Int` if it fits.
    public var intValue: Int? { tz_fits_slong(z) != 0 ? tz_get_si(z) : nil }

    // MARK: - Properties

    /// Number of bits of the magnitude (0 for zero).
    public var bitWidth: Int { isZero ? 0 : tz_sizeinbase(z, 2) }
    public var signum: Int { Int(tz_sgn(z)) }
    public var isZero: Bool { tz_sgn(z) == 0 }
    public var isNegative: Bool { tz_sgn(z) < 0 }
    public var isOdd: Bool { tz_odd(z) != 0 }
    public func bit(_ i: Int) -> Bool { tz_tstbit(z, mp_bitcnt_t(i)) != 0 }

    /// GMP's `mpz_probab_prime_p` (trial division, Baillie–PSW, then `reps − 24`
    /// Miller–Rabin rounds); false means certainly composite.
    public func isProbablePrime(rounds: Int = 40) -> Bool { tz_probab_prime_p(z, Int32(rounds)) > 0 }
}

// MARK: - Arithmetic

extension BigInt {
    public static func + (a: BigInt, b: BigInt) -> BigInt { BigInt(build: { tz_add($0, a.z, b.z) }) }
    public static func - (a: BigInt, b: BigInt) -> BigInt { BigInt(build: { tz_sub($0, a.z, b.z) }) }
    public static func * (a: BigInt, b: BigInt) -> BigInt { BigInt(build: { tz_mul($0, a.z, b.z) }) }
    public static func * (a: BigInt, b: Int) -> BigInt { BigInt(build: { tz_mul_si($0, a.z, b) }) }
    public static prefix func - (a: BigInt) -> BigInt { BigInt(build: { tz_neg($0, a.z) }) }
    public static func + (a: BigInt, b: Int) -> BigInt { a + BigInt(b) }
    public static func - (a: BigInt, b: Int) -> BigInt { a - BigInt(b) }
    public static func += (a: inout BigInt, b: BigInt) { let z = a.mutableZ(); tz_add(z, z, b.z) }
    public static func -= (a: inout BigInt, b: BigInt) { let z = a.mutableZ(); tz_sub(z, z, b.z) }
    public static func *= (a: inout BigInt, b: BigInt) { let z = a.mutableZ(); tz_mul(z, z, b.z) }

    public static func << (a: BigInt, bits: Int) -> BigInt { BigInt(build: { tz_mul_2exp($0, a.z, mp_bitcnt_t(bits)) }) }
    /// Floor division by 2^bits.
    public static func >> (a: BigInt, bits: Int) -> BigInt { BigInt(build: { tz_fdiv_q_2exp($0, a.z, mp_bitcnt_t(bits)) }) }
    /// a mod 2^bits, in [0, 2^bits).
    public func lowBits(_ bits: Int) -> BigInt { BigInt(build: { tz_fdiv_r_2exp($0, z, mp_bitcnt_t(bits)) }) }

    /// Floor division: (q, r) with a = q·b + r and r of the sign of b.
    public func quotientAndRemainder(dividingBy b: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        precondition(!b.isZero, "division by zero")
        let r = BigInt()
        let q = BigInt(build: { tz_fdiv_qr($0, r.z, z, b.z) })
        return (q, r)
    }

    /// Floor quotient.
    public static func / (a: BigInt, b: BigInt) -> BigInt {
        precondition(!b.isZero, "division by zero")
        return BigInt(build: { tz_fdiv_q($0, a.z, b.z) })
    }

    /// a / b where b is known to divide a (faster than general division).
    public func dividedExactly(by b: BigInt) -> BigInt { BigInt(build: { tz_divexact($0, z, b.z) }) }

    /// The least non-negative residue modulo m (m > 0).
    public func modulo(_ m: BigInt) -> BigInt {
        precondition(m.signum > 0, "modulus must be positive")
        return BigInt(build: { tz_mod($0, z, m.z) })
    }

    public func modulo(_ m: UInt) -> UInt { tz_fdiv_ui(z, m) }

    /// self^e mod m for a public exponent (variable time). e ≥ 0.
    public func power(_ e: BigInt, modulus m: BigInt) -> BigInt {
        precondition(!e.isNegative, "negative exponent")
        return BigInt(build: { tz_powm($0, z, e.z, m.z) })
    }

    /// self^e mod m for a secret exponent, with `mpz_powm_sec` (side-channel silent).
    /// Requires an odd modulus; e ≥ 0.
    public func powerSecret(_ e: BigInt, modulus m: BigInt) -> BigInt {
        precondition(!e.isNegative, "negative exponent")
        precondition(m.isOdd, "mpz_powm_sec needs an odd modulus")
        if e.isZero { return BigInt(1).modulo(m) }
        return BigInt(build: { tz_powm_sec($0, z, e.z, m.z) })
    }

    /// The inverse modulo m, or nil if gcd(self, m) ≠ 1.
    public func inverse(modulus m: BigInt) -> BigInt? {
        var ok: Int32 = 0
        let r = BigInt(build: { ok = tz_invert($0, z, m.z) })
        return ok != 0 ? r : nil
    }

    public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt { BigInt(build: { tz_gcd($0, a.z, b.z) }) }
    public static func lcm(_ a: BigInt, _ b: BigInt) -> BigInt { BigInt(build: { tz_lcm($0, a.z, b.z) }) }
    public static func factorial(_ n: Int) -> BigInt { BigInt(build: { tz_fac_ui($0, UInt(n)) }) }

    /// In place: self = self · b mod m. For hot loops (no allocation when uniquely owned).
    public mutating func formProduct(_ b: BigInt, modulus m: BigInt) {
        let z = mutableZ()
        tz_mul(z, z, b.z)
        tz_mod(z, z, m.z)
    }
}

// MARK: - Randomness

extension BigInt {
    /// A uniform integer in [0, 2^bits).
    public static func random<R: RandomSource>(bits: Int, using rng: inout R) -> BigInt {
        precondition(bits >= 0)
        guard bits > 0 else { return BigInt(0) }
        var bytes = rng.bytes((bits + 7) / 8)
        let excess = bytes.count * 8 - bits
        bytes[0] &= UInt8(0xff >> excess)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        return BigInt(bigEndian: bytes)
    }

    /// A uniform integer in [0, bound), by rejection sampling on bitWidth(bound) bits.
    public static func random<R: RandomSource>(below bound: BigInt, using rng: inout R) -> BigInt {
        precondition(bound.signum > 0, "bound must be positive")
        let bits = bound.bitWidth
        while true {
            let x = random(bits: bits, using: &rng)
            if x < bound { return x }
        }
    }

    /// A uniform element of Z_m^* (in [1, m) and coprime to m).
    public static func randomUnit<R: RandomSource>(modulus m: BigInt, using rng: inout R) -> BigInt {
        while true {
            let x = random(below: m, using: &rng)
            if !x.isZero && gcd(x, m) == BigInt(1) { return x }
        }
    }
}

// MARK: - Protocols

extension BigInt: Comparable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public init(integerLiteral value: Int) { self.init(value) }
    public static func == (a: BigInt, b: BigInt) -> Bool { tz_cmp(a.z, b.z) == 0 }
    public static func < (a: BigInt, b: BigInt) -> Bool { tz_cmp(a.z, b.z) < 0 }
    public static func == (a: BigInt, b: Int) -> Bool { tz_cmp_si(a.z, b) == 0 }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(signum)
        hasher.combine(bigEndianBytes())
    }
    /// Hexadecimal; never use for secret values in logs.
    public var description: String { hex }
}

// MARK: - Codable (lowercase big-endian hex, as in protocol/)

extension BigInt: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = BigInt(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container,
                debugDescription: "expected a hexadecimal integer, found \(text.prefix(24).debugDescription)")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
