import Testing
import TesseraLattice
import TesseraParallel
import TesseraRandom

let testKey = PublicPolynomials.key(federation: "test-federation", job: "mask-tests", round: 1, parameters: [])

/// One round: every participant draws a fresh secret from `seed`, masks with errors from
/// `errors(i)`, and the coordinator sums.
func round<E: RandomSource>(_ updates: [[Int64]], parameters: MaskParameters, seed: Seed, parallelism: Parallelism = .serial,
                            errors: (Int) -> E) async throws -> (secrets: [MaskSecret], masked: [[UInt64]], sum: MaskedSum) {
    var secrets: [MaskSecret] = [], masked: [[UInt64]] = []
    var sum = MaskedSum(parameters: parameters, length: updates[0].count)
    for (i, x) in updates.enumerated() {
        var secretSource = ChaCha20DRBG(seed: seed.derive("secret \(i)"))
        let s = try MaskSecret.sample(parameters: parameters, using: &secretSource)
        var e = errors(i)
        let y = try await MaskedUpdate.mask(values: x, secret: s, errors: &e, key: testKey, parameters: parameters, parallelism: parallelism)
        try sum.add(y)
        secrets.append(s)
        masked.append(y)
    }
    return (secrets, masked, sum)
}

func round(_ updates: [[Int64]], parameters: MaskParameters, seed: Seed,
           parallelism: Parallelism = .serial) async throws -> (secrets: [MaskSecret], masked: [[UInt64]], sum: MaskedSum) {
    try await round(updates, parameters: parameters, seed: seed, parallelism: parallelism) { ChaCha20DRBG(seed: seed.derive("errors \($0)")) }
}

@Suite struct PlannerTests {
    @Test func thePlannerChoosesTheLeastMessageBits() throws {
        #expect(try MaskParameters.plan(maxContributors: 10, maxAbsSum: (1 << 31) - 1).messageBits == 32)
        #expect(try MaskParameters.plan(maxContributors: 10, maxAbsSum: 1 << 31).messageBits == 33)
        #expect(try MaskParameters.plan(maxContributors: 1, maxAbsSum: 0).messageBits == 1)
        #expect(try MaskParameters.plan(maxContributors: 1, maxAbsSum: 1).messageBits == 2)
        let p = try MaskParameters.plan(maxContributors: 4095, maxAbsSum: (1 << 31) - 1)
        #expect(p.delta == 1 << 32 && p.maxContributors == 4095 && p.valueRange == -(1 << 31)...((1 << 31) - 1))
    }

    @Test func onePlannedContributorTooManyIsRefusedByName() {
        #expect(throws: LatticeError.tooManyContributors(contributors: 4096, messageBits: 32, errorBits: 19, limit: 4095)) {
            try MaskParameters.plan(maxContributors: 4096, maxAbsSum: (1 << 31) - 1)
        }
        // b = 40 admits 15 (15·2^19 < 2^23), b = 43 (the largest b) admits one.
        #expect(throws: LatticeError.tooManyContributors(contributors: 16, messageBits: 40, errorBits: 19, limit: 15)) {
            try MaskParameters.plan(maxContributors: 16, maxAbsSum: (1 << 39) - 1)
        }
        #expect(throws: LatticeError.tooManyContributors(contributors: 2, messageBits: 43, errorBits: 19, limit: 1)) {
            try MaskParameters.plan(maxContributors: 2, maxAbsSum: (1 << 42) - 1)
        }
        #expect(throws: LatticeError.tooManyContributors(contributors: 1, messageBits: 44, errorBits: 19, limit: 0)) {
            try MaskParameters.plan(maxContributors: 1, maxAbsSum: 1 << 42)
        }
        #expect(throws: LatticeError.sumNeedsTooManyBits(maxAbsSum: 1 << 61, messageBits: 63)) {
            try MaskParameters.plan(maxContributors: 1, maxAbsSum: 1 << 61)
        }
        // Small b: the errors would allow 2^35 − 1, the coordinator's exact product 2^18.
        #expect(throws: LatticeError.secretSumBoundTooLarge(contributors: (1 << 18) + 1, eta: 4, limit: 1 << 20)) {
            try MaskParameters.plan(maxContributors: (1 << 18) + 1, maxAbsSum: 255)
        }
        #expect((try? MaskParameters.plan(maxContributors: 1 << 18, maxAbsSum: 255)) != nil)
        let text = LatticeError.tooManyContributors(contributors: 4096, messageBits: 32, errorBits: 19, limit: 4095).description
        #expect(text.contains("4096") && text.contains("2^31") && text.contains("4095"))
    }

    @Test func parametersOutsideTheDesignAreRefused() {
        #expect(throws: LatticeError.self) { try MaskParameters(n: 1024, messageBits: 32) }
        #expect(throws: LatticeError.self) { try MaskParameters(messageBits: 32, eta: 1) }
        #expect(throws: LatticeError.self) { try MaskParameters(messageBits: 32, errorBits: 10) }
        #expect(throws: LatticeError.self) { try MaskParameters(messageBits: 0) }
        #expect(throws: LatticeError.self) { try MaskParameters(messageBits: 44) }
        #expect((try? MaskParameters(messageBits: 43)) != nil)
    }
}

@Suite struct MaskTests {
    @Test func extremeValuesRoundTripAcrossBlocks() async throws {
        let p = try MaskParameters.plan(maxContributors: 3, maxAbsSum: (1 << 31) - 1)
        let n = p.n, length = 2 * n + 5
        let top = Int64(1) << 31
        var rng = ChaCha20DRBG(seed: Seed(400))
        var updates = randomUpdates(participants: 3, length: length, messageBits: 32, using: &rng)
        for i in 0..<3 { updates[i][0] = 0; updates[i][1] = 0; updates[i][length - 1] = 0 }
        updates[0][0] = top - 1                  // largest value, alone
        updates[1][1] = -top                     // smallest value, alone
        updates[0][length - 1] = top - 1         // wraps mod 2^b in the sum, decodes as 2^31 − 1
        updates[1][length - 1] = top - 1
        updates[2][length - 1] = -(top - 1)
        updates[2][n] = -top                     // −2^31 + (2^31 − 1) on a block boundary
        updates[1][n] = top - 1
        updates[0][n] = 0
        let (secrets, _, sum) = try await round(updates, parameters: p, seed: Seed(401))
        let decoded = try await sum.decode(secretSum: secretSum(secrets), key: testKey)
        #expect(decoded == columnSums(updates))
        #expect(decoded[0] == top - 1 && decoded[1] == -top && decoded[length - 1] == top - 1 && decoded[n] == -1)
    }

    /// The most contributors b admits, every error at either end of its range: Σe reaches
    /// exactly −P·2^19 and P·2^19 − P, the ends of the residue range.
    @Test(arguments: [(40, 15), (43, 1)] as [(Int, Int)])
    func maximumContributorsWithWorstCaseErrors(messageBits b: Int, contributors: Int) async throws {
        let p = try MaskParameters.plan(maxContributors: contributors, maxAbsSum: (Int64(1) << (b - 1)) - 1)
        #expect(p.messageBits == b && p.maxContributors == contributors)
        #expect(throws: LatticeError.self) { try MaskParameters.plan(maxContributors: contributors + 1, maxAbsSum: (Int64(1) << (b - 1)) - 1) }
        let top = Int64(1) << (b - 1)
        var rng = ChaCha20DRBG(seed: Seed(402))
        var updates = randomUpdates(participants: contributors, length: 300, messageBits: b, using: &rng)
        for i in 0..<contributors { updates[i][0] = i == 0 ? top - 1 : 0; updates[i][1] = i == 0 ? -top : 0 }
        for byte: UInt8 in [0x00, 0xFF] {
            let (secrets, _, sum) = try await round(updates, parameters: p, seed: Seed(403)) { _ in ConstantSource(byte: byte) }
            let decoded = try await sum.decode(secretSum: secretSum(secrets), key: testKey)
            #expect(decoded == columnSums(updates), "errors all \(byte == 0 ? "−2^19" : "2^19 − 1")")
        }
    }

    /// b = 32 at its 4,095 contributors, every error at −2^19 (Σe = −4095·2^19, one step
    /// inside −Δ/2). Masking 4,095 participants is too slow for a debug test, so the sum is
    /// assembled by linearity, Σy = a·Σs + Σe + Δ·Σx, from 4,095 sampled secrets: this checks
    /// the decoder's rounding and residue range at the bound (the real-mask round trips at
    /// maximum contributors are the b = 40 and b = 43 cases above).
    @Test func fourThousandNinetyFiveContributorsAtThirtyTwoBits() async throws {
        let p = try MaskParameters.plan(maxContributors: 4095, maxAbsSum: (1 << 31) - 1)
        let contributors = 4095, n = p.n
        var rng = ChaCha20DRBG(seed: Seed(404))
        var s = [Int64](repeating: 0, count: n)
        for _ in 0..<contributors {
            for (i, c) in CenteredBinomial.sample(count: n, using: &rng).enumerated() { s[i] += Int64(c) }
        }
        let top = Int64(1) << 31
        var x = [Int64](repeating: 0, count: n)
        x[0] = top - 1; x[1] = -top; x[2] = 12345
        let a = try PublicPolynomials.block(0, key: testKey)
        let product = try SmallSecret(coefficients: s, bound: 4 * Int64(contributors)).multiply(a)
        let errorSum = UInt64(bitPattern: -Int64(contributors) << 19)
        let sum = (0..<n).map { product[$0] &+ errorSum &+ (UInt64(bitPattern: x[$0]) << 32) }
        let decoded = try await MaskedSum.decode(sum: sum, secretSum: s, contributors: contributors, key: testKey,
                                                 parameters: p, length: n)
        #expect(decoded == x)
        // One error step further is outside the residue range; one contributor more is refused.
        var beyond = sum; beyond[9] &-= 1
        await #expect(throws: LatticeError.residueOutOfRange(block: 0, coefficient: 9, residue: -4095 * (1 << 19) - 1,
                                                             lower: -4095 * (1 << 19), upper: 4095 * (1 << 19) - 4095)) {
            try await MaskedSum.decode(sum: beyond, secretSum: s, contributors: contributors, key: testKey, parameters: p, length: n)
        }
        await #expect(throws: LatticeError.tooManyContributors(contributors: 4096, messageBits: 32, errorBits: 19, limit: 4095)) {
            try await MaskedSum.decode(sum: sum, secretSum: s, contributors: 4096, key: testKey, parameters: p, length: n)
        }
    }

    @Test func randomRoundsDecodeToTheSum() async throws {
        var rng = ChaCha20DRBG(seed: Seed(405))
        for trial in 0..<12 {
            let participants = Int(rng.integer(1, 6))
            let maxAbsSum = rng.integer(0, 1 << rng.integer(1, 36))
            let p = try MaskParameters.plan(maxContributors: participants + Int(rng.integer(0, 3)), maxAbsSum: maxAbsSum)
            let n = p.n
            let lengths = [1, n - 1, n, n + 1, 2 * n + 3, Int(rng.integer(1, 3 * Int64(n)))]
            let length = lengths[trial % lengths.count]
            let perBound = maxAbsSum / Int64(participants)
            let updates = (0..<participants).map { _ in (0..<length).map { _ in rng.integer(-perBound, perBound) } }
            let threads = Parallelism(threads: 1 + trial % 2)
            let (secrets, _, sum) = try await round(updates, parameters: p, seed: Seed(1000 + UInt64(trial)), parallelism: threads)
            let decoded = try await sum.decode(secretSum: secretSum(secrets), key: testKey, parallelism: threads)
            #expect(decoded == columnSums(updates), "trial \(trial): P = \(participants), b = \(p.messageBits), length \(length)")
        }
    }

    @Test func resultsDoNotDependOnTheThreadCount() async throws {
        let p = try MaskParameters.plan(maxContributors: 3, maxAbsSum: 1 << 20)
        var rng = ChaCha20DRBG(seed: Seed(406))
        let updates = randomUpdates(participants: 2, length: 5 * p.n - 7, messageBits: p.messageBits, using: &rng)
        let one = try await round(updates, parameters: p, seed: Seed(407), parallelism: .serial)
        let two = try await round(updates, parameters: p, seed: Seed(407), parallelism: Parallelism(threads: 2))
        let three = try await round(updates, parameters: p, seed: Seed(407), parallelism: Parallelism(threads: 3))
        #expect(one.masked == two.masked && one.masked == three.masked)
        // A broken sum fails at several blocks: every thread count names the first.
        var sum = one.sum.words
        sum[4 * p.n + 11] &+= 1 << 40
        sum[2 * p.n + 3] &+= 1 << 40
        for threads in [1, 2, 3] {
            await #expect(throws: LatticeError.residueOutOfRange(block: 2, coefficient: 3, residue: 0, lower: 0, upper: 0),
                          "threads \(threads)") {
                do {
                    _ = try await MaskedSum.decode(sum: sum, secretSum: secretSum(one.secrets), contributors: 2, key: testKey,
                                                   parameters: p, length: updates[0].count, parallelism: Parallelism(threads: threads))
                } catch LatticeError.residueOutOfRange(let block, let coefficient, _, _, _) {
                    throw LatticeError.residueOutOfRange(block: block, coefficient: coefficient, residue: 0, lower: 0, upper: 0)
                }
            }
        }
    }

    @Test func theResidueCheckCatchesAMaskUnderAnotherSecret() async throws {
        let p = try MaskParameters.plan(maxContributors: 3, maxAbsSum: (1 << 31) - 1)
        var rng = ChaCha20DRBG(seed: Seed(408))
        let updates = randomUpdates(participants: 3, length: 3 * p.n, messageBits: 32, using: &rng)
        let (secrets, masked, _) = try await round(updates, parameters: p, seed: Seed(409))
        // Participant 2 masks with s′ but the key layer sums its declared s.
        let other = try MaskSecret.sample(parameters: p, using: &rng)
        var e = ChaCha20DRBG(seed: Seed(410))
        let lying = try await MaskedUpdate.mask(values: updates[2], secret: other, errors: &e, key: testKey, parameters: p)
        var sum = MaskedSum(parameters: p, length: updates[0].count)
        try sum.add(masked[0]); try sum.add(masked[1]); try sum.add(lying)
        let error = await #expect(throws: LatticeError.self) {
            try await sum.decode(secretSum: secretSum(secrets), key: testKey)
        }
        guard case .residueOutOfRange(let block, _, let residue, let lower, let upper)? = error else {
            Issue.record("expected the residue check, got \(String(describing: error))"); return
        }
        #expect(block == 0 && (residue < lower || residue > upper))
        #expect(error!.description.contains("residue check failed at block 0"))
        // The honest sum decodes.
        var honest = MaskedSum(parameters: p, length: updates[0].count)
        for y in masked { try honest.add(y) }
        #expect(try await honest.decode(secretSum: secretSum(secrets), key: testKey) == columnSums(updates))
    }

    @Test func theResidueRangeIsExactAtBothEnds() async throws {
        let p = try MaskParameters.plan(maxContributors: 2, maxAbsSum: (1 << 31) - 1)
        let n = p.n, length = 2 * n
        var rng = ChaCha20DRBG(seed: Seed(411))
        let updates = randomUpdates(participants: 2, length: length, messageBits: 32, using: &rng)
        let lower: Int64 = -2 << 19, upper: Int64 = (2 << 19) - 2
        for (byte, step, residue) in [(UInt8(0x00), UInt64.max, lower - 1), (UInt8(0xFF), UInt64(1), upper + 1)] {
            let (secrets, _, sum) = try await round(updates, parameters: p, seed: Seed(412)) { _ in ConstantSource(byte: byte) }
            let s = secretSum(secrets)
            #expect(try await sum.decode(secretSum: s, key: testKey) == columnSums(updates))
            var words = sum.words
            words[n + 5] &+= step
            await #expect(throws: LatticeError.residueOutOfRange(block: 1, coefficient: 5, residue: residue, lower: lower, upper: upper)) {
                try await MaskedSum.decode(sum: words, secretSum: s, contributors: 2, key: testKey, parameters: p, length: length)
            }
        }
    }

    @Test func paddingMustDecodeToZero() async throws {
        let p = try MaskParameters.plan(maxContributors: 2, maxAbsSum: 1000)
        let (secrets, _, sum) = try await round([[1, 2, 3], [4, 5, 6]], parameters: p, seed: Seed(413))
        #expect(try await sum.decode(secretSum: secretSum(secrets), key: testKey) == [5, 7, 9])
        var words = sum.words
        words[100] &+= p.delta  // Δ·1 smuggled into a padding coefficient
        await #expect(throws: LatticeError.nonzeroPadding(block: 0, coefficient: 100, value: 1)) {
            try await MaskedSum.decode(sum: words, secretSum: secretSum(secrets), contributors: 2, key: testKey, parameters: p, length: 3)
        }
    }

    @Test func theMessageSitsInTheHighBits() async throws {
        let p = try MaskParameters.plan(maxContributors: 1, maxAbsSum: (1 << 31) - 1)
        var rng = ChaCha20DRBG(seed: Seed(414))
        let s = try MaskSecret.sample(parameters: p, using: &rng)
        let errors = UniformErrors.sample(count: p.n, using: &rng)
        let x: [Int64] = [1, -1, (1 << 31) - 1, -(1 << 31)]
        let y = try await MaskedUpdate.mask(values: x, secret: s.polynomial, errors: errors, key: testKey, parameters: p, parallelism: .serial)
        let y0 = try await MaskedUpdate.mask(values: [0, 0, 0, 0], secret: s.polynomial, errors: errors, key: testKey, parameters: p, parallelism: .serial)
        let expected: [UInt64] = [1 << 32, 0xFFFF_FFFF_0000_0000, 0x7FFF_FFFF_0000_0000, 0x8000_0000_0000_0000] + [UInt64](repeating: 0, count: p.n - 4)
        #expect(zip(y, y0).map { $0 &- $1 } == expected)
        let a = try PublicPolynomials.block(0, key: testKey)
        let plain = zip(s.polynomial.multiply(a), errors).map { $0 &+ UInt64(bitPattern: Int64($1)) }
        #expect(y0 == plain)
    }

    @Test func valuesOutsideTheMessageRangeAreRefusedByName() async throws {
        let p = try MaskParameters.plan(maxContributors: 2, maxAbsSum: (1 << 31) - 1)
        var rng = ChaCha20DRBG(seed: Seed(415))
        let s = try MaskSecret.sample(parameters: p, using: &rng)
        for (index, value) in [(1, Int64(1) << 31), (2, -(Int64(1) << 31) - 1)] {
            var x: [Int64] = [0, 0, 0]; x[index] = value
            await #expect(throws: LatticeError.valueOutOfRange(index: index, value: value, messageBits: 32)) {
                try await MaskedUpdate.mask(values: x, secret: s, errors: &rng, key: testKey, parameters: p)
            }
        }
        #expect(!s.hasMasked)  // a refused call does not use the secret up
        _ = try await MaskedUpdate.mask(values: [(1 << 31) - 1, -(1 << 31)], secret: s, errors: &rng, key: testKey, parameters: p)
        #expect(s.hasMasked)
        await #expect(throws: LatticeError.secretReused) {
            try await MaskedUpdate.mask(values: [1], secret: s, errors: &rng, key: testKey, parameters: p)
        }
        await #expect(throws: LatticeError.lengthMismatch(what: "public-polynomial key bytes", expected: 32, actual: 16)) {
            try await MaskedUpdate.mask(values: [1], secret: try MaskSecret.sample(parameters: p, using: &rng), errors: &rng,
                                        key: [UInt8](repeating: 0, count: 16), parameters: p)
        }
    }

    @Test func secretsOutsideTheDesignAreRefused() throws {
        let p = try MaskParameters(messageBits: 32)
        #expect(throws: LatticeError.ternarySecret) {
            try MaskSecret(coefficients: (0..<2048).map { Int8($0 % 3) - 1 }, parameters: p)
        }
        #expect(throws: LatticeError.ternarySecret) { try MaskSecret(coefficients: [Int8](repeating: 0, count: 2048), parameters: p) }
        var stuck = ConstantSource(byte: 0)  // a source that is not random
        #expect(throws: LatticeError.ternarySecret) { try MaskSecret.sample(parameters: p, using: &stuck) }
        var c = [Int8](repeating: 2, count: 2048); c[7] = -5
        #expect(throws: LatticeError.coefficientOutOfBound(index: 7, value: -5, bound: 4)) { try MaskSecret(coefficients: c, parameters: p) }
        #expect(throws: LatticeError.lengthMismatch(what: "mask secret coefficients", expected: 2048, actual: 2047)) {
            try MaskSecret(coefficients: [Int8](repeating: 2, count: 2047), parameters: p)
        }
        c[7] = -4
        #expect(try MaskSecret(coefficients: c, parameters: p).coefficients == c)
    }

    @Test func theDecoderRefusesMalformedInputsByName() async throws {
        let p = try MaskParameters.plan(maxContributors: 2, maxAbsSum: 1000)
        let (secrets, _, sum) = try await round([[1, 2, 3], [4, 5, 6]], parameters: p, seed: Seed(416))
        var s = secretSum(secrets)
        await #expect(throws: LatticeError.lengthMismatch(what: "masked sum words", expected: 2048, actual: 2047)) {
            try await MaskedSum.decode(sum: Array(sum.words.dropLast()), secretSum: s, contributors: 2, key: testKey, parameters: p, length: 3)
        }
        await #expect(throws: LatticeError.lengthMismatch(what: "secret sum coefficients", expected: 2048, actual: 2049)) {
            try await MaskedSum.decode(sum: sum.words, secretSum: s + [0], contributors: 2, key: testKey, parameters: p, length: 3)
        }
        s[17] = 9
        await #expect(throws: LatticeError.secretSumOutOfRange(index: 17, value: 9, bound: 8)) {
            try await MaskedSum.decode(sum: sum.words, secretSum: s, contributors: 2, key: testKey, parameters: p, length: 3)
        }
        var short = MaskedSum(parameters: p, length: 3)
        #expect(throws: LatticeError.lengthMismatch(what: "masked vector words", expected: 2048, actual: 4096)) {
            try short.add([UInt64](repeating: 0, count: 4096))
        }
    }

    @Test func theByteEncodingIsLittleEndianAndLengthChecked() throws {
        let p = try MaskParameters(messageBits: 32)
        var rng = ChaCha20DRBG(seed: Seed(417))
        let words = (0..<(2 * p.n)).map { _ in rng.nextUInt64() }
        let bytes = MaskedUpdate.bytes(words)
        #expect(bytes.count == 8 * 2 * p.n)
        #expect(try MaskedUpdate.words(fromBytes: bytes, parameters: p, length: p.n + 1) == words)
        #expect(MaskedUpdate.bytes([0x0102_0304_0506_0708]) == [8, 7, 6, 5, 4, 3, 2, 1])
        for bad in [Array(bytes.dropLast()), bytes + [0, 0, 0, 0, 0, 0, 0, 0]] {
            #expect(throws: LatticeError.lengthMismatch(what: "masked vector bytes", expected: 32_768, actual: bad.count)) {
                try MaskedUpdate.words(fromBytes: bad, parameters: p, length: p.n + 1)
            }
        }
        // A vector of one block offered for two.
        let error = #expect(throws: LatticeError.self) { try MaskedUpdate.words(fromBytes: Array(bytes[0..<16_384]), parameters: p, length: p.n + 1) }
        #expect(error?.description == "masked vector bytes: expected 32768, got 16384")
    }
}
