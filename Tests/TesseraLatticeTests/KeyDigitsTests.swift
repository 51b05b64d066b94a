import Testing
import TesseraLattice
import TesseraRandom

@Suite struct KeyDigitsTests {
    @Test func theDefaultDigitCountIsTheLargestWithinTheTable() throws {
        let ten = try KeyDigits(maxContributors: 10)
        #expect(ten.base == 81 && ten.digitsPerMessage == 3 && ten.messageLimit == 531_441)  // 81^4 > 2^20
        let max = try KeyDigits(maxContributors: 4095)
        #expect(max.base == 32_761 && max.digitsPerMessage == 1)
        #expect(try KeyDigits(maxContributors: 1).digitsPerMessage == 6)  // 9^6 = 531,441 ≤ 2^20 < 9^7
        #expect(try KeyDigits(maxContributors: 10, tableLimit: 1 << 26).digitsPerMessage == 4)
        #expect(KeyDigits.largestDigitsPerMessage(base: 1 << 10) == 2)  // B^k = 2^20 exactly is allowed
        #expect(KeyDigits.largestDigitsPerMessage(base: (1 << 20) + 1) == 0)
        #expect(throws: LatticeError.self) { try KeyDigits(maxContributors: 1 << 20) }  // B alone beyond the table
        #expect(throws: LatticeError.self) { try KeyDigits(base: 80, digitsPerMessage: 2) }  // not 2η·N + 1
        #expect(try KeyDigits(base: 81, digitsPerMessage: 2).maxContributors == 10)
    }

    @Test func packedSumsUnpackToTheSecretSum() throws {
        var rng = ChaCha20DRBG(seed: Seed(500))
        for (contributors, participants) in [(10, 10), (10, 3), (4095, 7), (1, 1)] {
            let digits = try KeyDigits(maxContributors: contributors)
            let secrets = (0..<participants).map { _ in CenteredBinomial.sample(count: 2048, using: &rng) }
            var total = [UInt64](repeating: 0, count: digits.messageCount(coefficients: 2048))
            for s in secrets {
                let m = try digits.pack(s)
                #expect(m.allSatisfy { $0 < digits.messageLimit })
                for i in 0..<m.count { total[i] += m[i] }
            }
            #expect(total.allSatisfy { $0 < digits.messageLimit })
            let expected = (0..<2048).map { i in secrets.reduce(Int64(0)) { $0 + Int64($1[i]) } }
            #expect(try digits.unpackSum(total, contributors: participants, count: 2048) == expected)
        }
    }

    @Test func theLayoutIsLeastSignificantDigitFirst() throws {
        let digits = try KeyDigits(base: 81, digitsPerMessage: 3)
        // u = s + 4: [0, 8, 5 | 4] → 0 + 8·81 + 5·81², then 4 with zero padding.
        #expect(try digits.pack([-4, 4, 1, 0]) == [8 * 81 + 5 * 81 * 81, 4])
    }

    @Test func malformedSumsAreRefusedNamingTheIndex() throws {
        let digits = try KeyDigits(base: 81, digitsPerMessage: 3)  // N = 10
        let two = try digits.pack([0, 0, 0, 0, 0]).map { $0 * 2 }  // two contributors, every S_i = 0
        #expect(try digits.unpackSum(two, contributors: 2, count: 5) == [0, 0, 0, 0, 0])
        // A message at B^k: its top digit is ≥ B (coefficient 2 of message 0).
        var carried = two; carried[0] = 81 * 81 * 81
        #expect(throws: LatticeError.digitOutOfRange(index: 2, digit: 81, base: 81)) {
            try digits.unpackSum(carried, contributors: 2, count: 5)
        }
        // A digit of 17 > 2η·P = 16 for P = 2: S = 9 > 8 at coefficient 3.
        var large = two; large[1] = 17
        #expect(throws: LatticeError.keySumOutOfRange(index: 3, value: 9, bound: 8)) {
            try digits.unpackSum(large, contributors: 2, count: 5)
        }
        var padded = two; padded[1] += 81 * 81
        #expect(throws: LatticeError.nonzeroPaddingDigit(index: 5, digit: 1)) {
            try digits.unpackSum(padded, contributors: 2, count: 5)
        }
        #expect(throws: LatticeError.contributorsExceedDigitBase(contributors: 11, maxContributors: 10)) {
            try digits.unpackSum(two, contributors: 11, count: 5)
        }
        #expect(throws: LatticeError.lengthMismatch(what: "summed key messages", expected: 2, actual: 1)) {
            try digits.unpackSum([0], contributors: 2, count: 5)
        }
        #expect(throws: LatticeError.coefficientOutOfBound(index: 1, value: 5, bound: 4)) { try digits.pack([0, 5]) }
    }

    /// The whole mask layer with S from the key digits, as the coordinator will see it.
    @Test func maskedSumDecodesWithTheUnpackedKeySum() async throws {
        let p = try MaskParameters.plan(maxContributors: 10, maxAbsSum: (1 << 31) - 1)
        let digits = try KeyDigits(maxContributors: 10)
        var rng = ChaCha20DRBG(seed: Seed(501))
        let updates = randomUpdates(participants: 4, length: 3000, messageBits: 32, using: &rng)
        let (secrets, _, sum) = try await round(updates, parameters: p, seed: Seed(502))
        var total = [UInt64](repeating: 0, count: digits.messageCount(coefficients: p.n))
        for s in secrets { for (i, m) in try digits.pack(s.coefficients).enumerated() { total[i] += m } }
        let s = try digits.unpackSum(total, contributors: 4, count: p.n)
        #expect(try await sum.decode(secretSum: s, key: testKey) == columnSums(updates))
    }
}
