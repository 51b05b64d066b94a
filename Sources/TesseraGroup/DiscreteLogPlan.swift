/// The shape of a bounded discrete-logarithm search for packed messages: a value is k base-B
/// digits d₀…d_{k−1} (Σ d_i·B^i), each digit of an honest sum near a known μ (a sum of P
/// values in [0, 8] has mean 4P and standard deviation √(2P)). The baby-step table covers the
/// low k_b digits (B^k_b entries); the giant steps enumerate the high k − k_b digits, closest
/// to μ first (see `DiscreteLogTable`).
public struct DiscreteLogPlan: Sendable, Hashable, CustomStringConvertible {
    /// B.
    public let base: UInt64
    /// k.
    public let digits: Int
    /// k_b: the table holds B^k_b points.
    public let babyDigits: Int
    /// μ, the expected digit of an honest sum.
    public let expectedDigit: UInt64

    /// Default table bound: 32,768 entries (about 2.5 MB, 0.45 s to build on one core).
    public static let defaultMaxTableEntries = 32_768
    /// Default bound on B^(k − k_b), the giant points kept and the worst-case search.
    public static let defaultMaxGiantSteps = 32_768

    /// The largest k_b ≤ k with B^k_b ≤ maxTableEntries. Refuses B < 2, k < 1, μ ≥ B,
    /// B^k ≥ 2^52 (beyond `ElGamalEncryptor.messageLimit`) and giant searches over
    /// maxGiantSteps; the normal case is k − k_b ≤ 1.
    public static func plan(base: UInt64, digits: Int, expectedDigit: UInt64,
                            maxTableEntries: Int = defaultMaxTableEntries,
                            maxGiantSteps: Int = defaultMaxGiantSteps) throws -> DiscreteLogPlan {
        guard base >= 2 else { throw GroupError.invalidParameters("digit base \(base) < 2") }
        guard digits >= 1 else { throw GroupError.invalidParameters("\(digits) digits") }
        guard expectedDigit < base else { throw GroupError.invalidParameters("expected digit \(expectedDigit) ≥ base \(base)") }
        guard let range = power(base, digits), range <= ElGamalEncryptor.messageLimit else {
            throw GroupError.invalidParameters("\(base)^\(digits) exceeds the message limit 2^52")
        }
        _ = range
        var kb = 0
        while kb < digits, let next = power(base, kb + 1), next <= UInt64(maxTableEntries) { kb += 1 }
        guard let giant = power(base, digits - kb), giant <= UInt64(maxGiantSteps) else {
            throw GroupError.invalidParameters("base \(base), \(digits) digits: the giant search over \(digits - kb) digits exceeds \(maxGiantSteps) steps; use fewer digits")
        }
        return DiscreteLogPlan(base: base, digits: digits, babyDigits: kb, expectedDigit: expectedDigit)
    }

    /// The most digits for which the giant search has at most one digit (k_b + 1).
    public static func maxDigits(base: UInt64, maxTableEntries: Int = defaultMaxTableEntries) -> Int {
        var kb = 0
        while let next = power(base, kb + 1), next <= UInt64(maxTableEntries) { kb += 1 }
        return kb + 1
    }

    init(base: UInt64, digits: Int, babyDigits: Int, expectedDigit: UInt64) {
        self.base = base
        self.digits = digits
        self.babyDigits = babyDigits
        self.expectedDigit = expectedDigit
    }

    /// B^k_b.
    public var tableEntries: Int { Int(Self.power(base, babyDigits)!) }
    /// B^(k − k_b).
    public var giantSteps: Int { Int(Self.power(base, digits - babyDigits)!) }
    /// B^k: values in [0, range) are found.
    public var range: UInt64 { Self.power(base, digits)! }

    public var description: String {
        "DiscreteLogPlan(B = \(base), k = \(digits), table \(tableEntries) entries, \(giantSteps) giant steps, μ = \(expectedDigit))"
    }

    static func power(_ b: UInt64, _ e: Int) -> UInt64? {
        var r: UInt64 = 1
        for _ in 0..<e {
            let (p, o) = r.multipliedReportingOverflow(by: b)
            if o { return nil }
            r = p
        }
        return r
    }
}
