/// Every refusal of the lattice layer, each naming the check that failed and the figures.
public enum LatticeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidParameters(String)
    /// The planner: a sum bound that needs more than 62 message bits.
    case sumNeedsTooManyBits(maxAbsSum: Int64, messageBits: Int)
    /// The planner or the decoder: P·2^errorBits must stay below Δ/2 = 2^(63−b).
    case tooManyContributors(contributors: Int, messageBits: Int, errorBits: Int, limit: Int)
    /// The planner: the coordinator's exact product a·S needs η·P within the product bound.
    case secretSumBoundTooLarge(contributors: Int, eta: Int, limit: Int64)
    /// The exact product: n·(2^32 − 1)·bound must not exceed (p − 1)/2.
    case secretBoundTooLarge(bound: Int64, limit: Int64, n: Int)
    case coefficientOutOfBound(index: Int, value: Int64, bound: Int64)
    case ternarySecret
    case secretReused
    case lengthMismatch(what: String, expected: Int, actual: Int)
    case valueOutOfRange(index: Int, value: Int64, messageBits: Int)
    case residueOutOfRange(block: Int, coefficient: Int, residue: Int64, lower: Int64, upper: Int64)
    case nonzeroPadding(block: Int, coefficient: Int, value: Int64)
    case secretSumOutOfRange(index: Int, value: Int64, bound: Int64)
    case blockIndexOutOfRange(Int)
    case digitOutOfRange(index: Int, digit: UInt64, base: UInt64)
    case nonzeroPaddingDigit(index: Int, digit: UInt64)
    case keySumOutOfRange(index: Int, value: Int64, bound: Int64)
    case contributorsExceedDigitBase(contributors: Int, maxContributors: Int)

    public var description: String {
        switch self {
        case .invalidParameters(let why):
            return "lattice parameters: \(why)"
        case .sumNeedsTooManyBits(let m, let b):
            return "mask plan: |Σ| ≤ \(m) needs b = \(b) message bits; at most 62 are supported"
        case .tooManyContributors(let p, let b, let e, let limit):
            return "mask plan: \(p) contributors' errors reach \(p)·2^\(e) ≥ Δ/2 = 2^\(63 - b) at b = \(b) message bits; at most \(limit) contributors decode exactly"
        case .secretSumBoundTooLarge(let p, let eta, let limit):
            return "mask plan: the secret sum of \(p) contributors reaches η·P = \(eta * p), above the exact-product bound \(limit)"
        case .secretBoundTooLarge(let bound, let limit, let n):
            return "exact product: secret bound \(bound) exceeds \(limit) = 2^31/n for n = \(n) (n·(2^32 − 1)·bound must stay within (p − 1)/2)"
        case .coefficientOutOfBound(let i, let v, let bound):
            return "secret coefficient \(i) is \(v), outside [−\(bound), \(bound)]"
        case .ternarySecret:
            return "mask secret refused: every coefficient lies in {−1, 0, 1}; the design needs centred binomial η = 4 (a ternary secret leaks coefficients once Σs is known)"
        case .secretReused:
            return "mask secret refused: it already masked an update; draw a fresh secret (and fresh errors) every round"
        case .lengthMismatch(let what, let e, let a):
            return "\(what): expected \(e), got \(a)"
        case .valueOutOfRange(let i, let v, let b):
            return "mask: value \(v) at index \(i) is outside [−2^\(b - 1), 2^\(b - 1)) for b = \(b)"
        case .residueOutOfRange(let j, let c, let r, let lo, let hi):
            return "residue check failed at block \(j), coefficient \(c): residue \(r) is outside [\(lo), \(hi)], the range of the summed errors; a contributor's mask is inconsistent with the key it encrypted (detected, not attributable)"
        case .nonzeroPadding(let j, let c, let v):
            return "padding check failed at block \(j), coefficient \(c): decoded \(v) where every contributor must have encoded 0"
        case .secretSumOutOfRange(let i, let v, let bound):
            return "secret sum coefficient \(i) is \(v), outside [−\(bound), \(bound)] = ±η·P"
        case .blockIndexOutOfRange(let j):
            return "public polynomial: block index \(j) is outside [0, 2^32)"
        case .digitOutOfRange(let i, let d, let base):
            return "key digits: digit \(i) is \(d), not below the base \(base) (a summed message carried)"
        case .nonzeroPaddingDigit(let i, let d):
            return "key digits: padding digit \(i) is \(d), not 0"
        case .keySumOutOfRange(let i, let v, let bound):
            return "key digits: S[\(i)] = \(v) is outside [−\(bound), \(bound)] = ±η·P"
        case .contributorsExceedDigitBase(let p, let maxP):
            return "key digits: \(p) contributors exceed the \(maxP) the digit base was chosen for"
        }
    }
}
