import TesseraLattice
import TesseraRandom

/// Schoolbook negacyclic product in Z_{2^64}[X]/(X^n + 1): the reference for the NTT path.
func schoolbook(_ a: [UInt64], _ s: [Int64]) -> [UInt64] {
    let n = a.count
    var c = [UInt64](repeating: 0, count: n)
    for i in 0..<n where s[i] != 0 {
        let si = UInt64(bitPattern: s[i])
        for k in 0..<n {
            let t = a[k] &* si
            if i + k < n { c[i + k] = c[i + k] &+ t } else { c[i + k - n] = c[i + k - n] &- t }
        }
    }
    return c
}

/// Schoolbook negacyclic product mod p.
func schoolbookModP(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
    let n = a.count
    var c = [UInt64](repeating: 0, count: n)
    for i in 0..<n {
        for k in 0..<n {
            let t = Goldilocks.multiply(a[i], b[k])
            if i + k < n { c[i + k] = Goldilocks.add(c[i + k], t) } else { c[i + k - n] = Goldilocks.subtract(c[i + k - n], t) }
        }
    }
    return c
}

/// a·b mod p by 128-by-64-bit division: independent of the shift-based reduction.
func referenceMultiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
    Goldilocks.modulus.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
}

/// A source that repeats one byte: drives the samplers to chosen values.
struct ConstantSource: RandomSource {
    let byte: UInt8
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<buffer.count { buffer[i] = byte }
    }
}

extension RandomSource {
    /// Uniform in [lo, hi].
    mutating func integer(_ lo: Int64, _ hi: Int64) -> Int64 {
        lo &+ Int64(bitPattern: uniform(below: UInt64(bitPattern: hi &- lo) &+ 1))
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadded(2) }.joined() }

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Values of b-bit range whose sum over `participants` stays within |Σ| < 2^(b−1).
func randomUpdates(participants: Int, length: Int, messageBits b: Int, using rng: inout ChaCha20DRBG) -> [[Int64]] {
    let per = ((Int64(1) << (b - 1)) - 1) / Int64(participants)
    return (0..<participants).map { _ in (0..<length).map { _ in rng.integer(-per, per) } }
}

func columnSums(_ xs: [[Int64]]) -> [Int64] {
    guard let first = xs.first else { return [] }
    return (0..<first.count).map { i in xs.reduce(0) { $0 + $1[i] } }
}

func secretSum(_ secrets: [MaskSecret]) -> [Int64] {
    (0..<secrets[0].n).map { i in secrets.reduce(0) { $0 + Int64($1.coefficients[i]) } }
}
