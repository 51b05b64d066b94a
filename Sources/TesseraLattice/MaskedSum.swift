import TesseraParallel

/// The coordinator's side of the mask layer: Σ_i y_i (wrapping, memory speed), then, once
/// the key layer yields S = Σ s_i, D_j = Σ_i y_ij − a_j·S = Δ·Σx_j + Σe_j and the rounding
/// value = signed b-bit of (D + Δ/2) >> (64 − b): decryption by rounding as in
/// Lyubashevsky–Peikert–Regev 2010, under the summed key (Willow, eprint 2024/936).
///
/// Exactness: Σe ∈ [−P·2^19, P·2^19 − P] and P·2^19 < Δ/2, so the rounding removes Σe
/// entirely and the value is Σx mod 2^b, which is Σx while |Σx| < 2^(b−1).
///
/// Residue check: r = D − Δ·value (signed 64-bit) equals Σe when every contributor masked
/// with the secret it summed into S; any r outside [−P·2^19, P·2^19 − P] is refused with
/// the block and coefficient. A mask under another secret leaves a·(s′ − s), uniform-looking
/// mod 2^64, so it is caught on essentially every coefficient; the check cannot tell who.
/// Padding coefficients must decode to 0 as well.
public struct MaskedSum: Sendable {
    public let parameters: MaskParameters
    public let length: Int
    public private(set) var words: [UInt64]
    public private(set) var contributors = 0

    public init(parameters: MaskParameters, length: Int) {
        precondition(length >= 0)
        self.parameters = parameters
        self.length = length
        words = [UInt64](repeating: 0, count: parameters.blockCount(length: length) * parameters.n)
    }

    public mutating func add(_ masked: [UInt64]) throws {
        guard masked.count == words.count else {
            throw LatticeError.lengthMismatch(what: "masked vector words", expected: words.count, actual: masked.count)
        }
        words.withUnsafeMutableBufferPointer { w in
            masked.withUnsafeBufferPointer { m in
                for i in 0..<w.count { w[i] = w[i] &+ m[i] }
            }
        }
        contributors += 1
    }

    public func decode(secretSum: [Int64], key: [UInt8], parallelism: Parallelism = .serial) async throws -> [Int64] {
        try await Self.decode(sum: words, secretSum: secretSum, contributors: contributors, key: key,
                              parameters: parameters, length: length, parallelism: parallelism)
    }

    /// Σx (length values) from the sum of `contributors` masked vectors and S = Σ s_i.
    /// Errors are reported for the first failing block and coefficient in index order,
    /// whatever the thread count.
    public static func decode(sum: [UInt64], secretSum: [Int64], contributors: Int, key: [UInt8],
                              parameters: MaskParameters, length: Int, parallelism: Parallelism = .serial) async throws -> [Int64] {
        let n = parameters.n
        let blocks = parameters.blockCount(length: length)
        guard sum.count == blocks * n else {
            throw LatticeError.lengthMismatch(what: "masked sum words", expected: blocks * n, actual: sum.count)
        }
        guard secretSum.count == n else {
            throw LatticeError.lengthMismatch(what: "secret sum coefficients", expected: n, actual: secretSum.count)
        }
        try MaskedUpdate.checkKey(key)
        try parameters.checkContributors(contributors)
        let bound = Int64(parameters.eta * contributors)
        if let i = secretSum.firstIndex(where: { $0 < -bound || $0 > bound }) {
            throw LatticeError.secretSumOutOfRange(index: i, value: secretSum[i], bound: bound)
        }
        let s = try SmallSecret(coefficients: secretSum, bound: bound)
        let outcomes = try await parallelism.map(each: blocks) { j in
            decodeBlock(j, sum: sum, secretSum: s, contributors: contributors, key: key, parameters: parameters, length: length)
        }
        var out: [Int64] = []
        out.reserveCapacity(blocks * n)
        for outcome in outcomes { out += try outcome.get() }
        return out
    }

    package static func decodeBlock(_ j: Int, sum: [UInt64], secretSum s: SmallSecret, contributors p: Int, key: [UInt8],
                                    parameters: MaskParameters, length: Int) -> Result<[Int64], LatticeError> {
        let n = parameters.n, shift = UInt64(parameters.shift)
        let half: UInt64 = 1 << (shift - 1)
        let lower = -Int64(p) << Int64(parameters.errorBits)
        let upper = (Int64(p) << Int64(parameters.errorBits)) - Int64(p)
        var a = [UInt64](repeating: 0, count: n)
        PublicPolynomials.expand(j, key: key, into: &a)
        let product = s.multiply(a)
        let valid = min(n, length - j * n)
        var values = [Int64](repeating: 0, count: valid)
        for i in 0..<n {
            let d = sum[j * n + i] &- product[i]
            let rounded = (d &+ half) >> shift                 // value mod 2^b
            let residue = Int64(bitPattern: d &- (rounded &<< shift))
            guard residue >= lower, residue <= upper else {
                return .failure(.residueOutOfRange(block: j, coefficient: i, residue: residue, lower: lower, upper: upper))
            }
            let value = Int64(bitPattern: rounded &<< shift) >> Int64(shift)  // sign-extend b bits
            if i < valid {
                values[i] = value
            } else if value != 0 {
                return .failure(.nonzeroPadding(block: j, coefficient: i, value: value))
            }
        }
        return .success(values)
    }
}
