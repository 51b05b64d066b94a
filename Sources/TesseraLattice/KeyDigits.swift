/// Packing of a secret's coefficients for the key layer's additively homomorphic encryption
/// (exponential ElGamal, whose decryption is a discrete logarithm in a table).
///
/// u = s + η ∈ [0, 2η]; k coefficients share one message as base-B digits, least
/// significant first: m = Σ_{t<k} u_{k·i+t}·B^t, with B = 2η·N + 1 for at most N
/// contributors, so a sum of P ≤ N messages never carries between digits (each summed digit
/// is at most 2η·P < B). The last message is padded with zero digits. The default k is the
/// largest with B^k ≤ 2^20 (the discrete-log table's range); a sum of messages is then below
/// B^k.
public struct KeyDigits: Sendable, Hashable {
    public let base: UInt64
    public let digitsPerMessage: Int
    public let eta: Int

    /// N = (B − 1)/(2η): the most contributors whose sum stays within the digits.
    public var maxContributors: Int { Int((base - 1) / UInt64(2 * eta)) }
    /// B^k: every (summed) message is below it.
    public var messageLimit: UInt64 { (0..<digitsPerMessage).reduce(1) { r, _ in r * base } }

    public init(base: UInt64, digitsPerMessage: Int, eta: Int = 4) throws {
        guard eta >= 1, base > UInt64(2 * eta), (base - 1) % UInt64(2 * eta) == 0 else {
            throw LatticeError.invalidParameters("the digit base must be 2η·N + 1 for some N ≥ 1 (η = \(eta)), not \(base)")
        }
        guard digitsPerMessage >= 1 else { throw LatticeError.invalidParameters("at least one digit per message, not \(digitsPerMessage)") }
        var limit: UInt64 = 1
        for _ in 0..<digitsPerMessage {
            let (next, overflow) = limit.multipliedReportingOverflow(by: base)
            guard !overflow, next <= 1 << 62 else {
                throw LatticeError.invalidParameters("\(base)^\(digitsPerMessage) exceeds 2^62")
            }
            limit = next
        }
        self.base = base
        self.digitsPerMessage = digitsPerMessage
        self.eta = eta
    }

    /// B = 2η·N + 1 and k = `largestDigitsPerMessage(base: B, tableLimit:)`.
    public init(maxContributors: Int, eta: Int = 4, tableLimit: UInt64 = 1 << 20) throws {
        guard maxContributors >= 1 else { throw LatticeError.invalidParameters("at least one contributor, not \(maxContributors)") }
        let base = UInt64(2 * eta) * UInt64(maxContributors) + 1
        let k = Self.largestDigitsPerMessage(base: base, tableLimit: tableLimit)
        guard k >= 1 else { throw LatticeError.invalidParameters("the base \(base) alone exceeds the table limit \(tableLimit)") }
        try self.init(base: base, digitsPerMessage: k, eta: eta)
    }

    /// The largest k with B^k ≤ tableLimit (0 if B > tableLimit).
    public static func largestDigitsPerMessage(base: UInt64, tableLimit: UInt64 = 1 << 20) -> Int {
        precondition(base >= 2)
        var k = 0, power: UInt64 = 1
        while true {
            let (next, overflow) = power.multipliedReportingOverflow(by: base)
            if overflow || next > tableLimit { return k }
            power = next
            k += 1
        }
    }

    public func messageCount(coefficients count: Int) -> Int { (count + digitsPerMessage - 1) / digitsPerMessage }

    /// One participant's messages for its secret coefficients (each in [−η, η]).
    public func pack(_ secret: [Int8]) throws -> [UInt64] {
        for (i, c) in secret.enumerated() where Int(c) < -eta || Int(c) > eta {
            throw LatticeError.coefficientOutOfBound(index: i, value: Int64(c), bound: Int64(eta))
        }
        var out = [UInt64](repeating: 0, count: messageCount(coefficients: secret.count))
        for m in 0..<out.count {
            var v: UInt64 = 0
            for t in stride(from: digitsPerMessage - 1, through: 0, by: -1) {
                let i = m * digitsPerMessage + t
                v = v * base + (i < secret.count ? UInt64(Int(secret[i]) + eta) : 0)
            }
            out[m] = v
        }
        return out
    }

    /// S = Σ s_i (count coefficients) from the sum of P contributors' messages:
    /// S_i = digit_i − η·P. Refuses a digit ≥ B (a message at or above B^k), a padding digit
    /// that is not 0, and an S_i outside [−ηP, ηP], naming the coefficient index.
    public func unpackSum(_ messages: [UInt64], contributors p: Int, count: Int) throws -> [Int64] {
        guard p >= 1, p <= maxContributors else {
            throw LatticeError.contributorsExceedDigitBase(contributors: p, maxContributors: maxContributors)
        }
        let expected = messageCount(coefficients: count)
        guard messages.count == expected else {
            throw LatticeError.lengthMismatch(what: "summed key messages", expected: expected, actual: messages.count)
        }
        let bound = Int64(eta * p)  // also the offset: Σ u = S + η·P
        var out = [Int64](repeating: 0, count: count)
        for (m, message) in messages.enumerated() {
            var rest = message
            for t in 0..<digitsPerMessage {
                let i = m * digitsPerMessage + t
                // The top digit takes whatever is left, so an oversized message shows as a digit ≥ B.
                let digit = t == digitsPerMessage - 1 ? rest : rest % base
                rest /= base
                guard digit < base else { throw LatticeError.digitOutOfRange(index: i, digit: digit, base: base) }
                if i >= count {
                    guard digit == 0 else { throw LatticeError.nonzeroPaddingDigit(index: i, digit: digit) }
                    continue
                }
                let s = Int64(digit) - bound
                guard s >= -bound, s <= bound else { throw LatticeError.keySumOutOfRange(index: i, value: s, bound: bound) }
                out[i] = s
            }
        }
        return out
    }
}
