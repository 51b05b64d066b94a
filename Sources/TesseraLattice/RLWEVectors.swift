import Foundation
import TesseraRandom

/// Known-answer vectors for the mask layer (protocol/vectors/rlwe.json), deterministic for
/// the seed. Encodings: byte strings and arrays as lower-case hex of their little-endian
/// fixed-width two's-complement elements — secrets 1 byte per coefficient, errors and
/// key-digit messages 4, values, secret sums and decoded sums 8, ring elements (products,
/// masked vectors, sums) 8, so a ring element's hex is exactly its wire encoding. Word lists (`a0First16`) are 16-digit
/// big-endian hex per word.
public struct RLWEVectors: Codable, Sendable, Equatable {
    public struct Parameters: Codable, Sendable, Equatable {
        public var n: Int
        public var messageBits: Int
        public var errorBits: Int
        public var eta: Int
        public var delta: UInt64
        public var maxContributors: Int
        /// The planner's inputs that chose messageBits.
        public var plannedMaxContributors: Int
        public var plannedMaxAbsSum: Int64
    }

    public struct PublicPolynomial: Codable, Sendable, Equatable {
        public var federation: String
        public var job: String
        public var round: UInt32
        /// The `parameters` field of the transcript (MaskParameters.transcriptEncoding).
        public var parameters: String
        public var transcript: String
        public var key: String
        public var a0First16: [String]
        public var a1First16: [String]
        /// BLAKE2b-256 of the 8n-byte little-endian encoding of the whole block.
        public var a0Blake2b: String
        public var a1Blake2b: String
    }

    /// y_0 = a_0·s + e + Δ·x for one block under the key above.
    public struct SingleBlock: Codable, Sendable, Equatable {
        public var secret: String
        public var errors: String
        public var values: String
        public var product: String
        public var masked: String
    }

    public struct Participant: Codable, Sendable, Equatable {
        public var secret: String
        public var errors: String
        public var values: String
        public var masked: String
    }

    public struct Aggregation: Codable, Sendable, Equatable {
        public var length: Int
        public var participants: [Participant]
        public var sum: String
        public var secretSum: String
        public var decoded: String
    }

    /// The aggregation with one participant masking under `maskingSecret` (its errors and
    /// values unchanged, `masked` replacing its vector in the sum) while its declared secret
    /// stays in S: decoding must fail the residue check at exactly this block and coefficient.
    public struct ResidueFailure: Codable, Sendable, Equatable {
        public var participant: Int
        public var maskingSecret: String
        public var masked: String
        public var check: String
        public var block: Int
        public var coefficient: Int
        /// Decimal, as signed 64-bit integers.
        public var residue: String
        public var lower: String
        public var upper: String
        public var error: String
    }

    /// The aggregation's secrets as key-layer digits (KeyDigits for plannedMaxContributors);
    /// `summed` unpacks to aggregation.secretSum.
    public struct Digits: Codable, Sendable, Equatable {
        public var base: UInt64
        public var digitsPerMessage: Int
        /// Per participant, its messages as 4-byte little-endian words (each below B^k ≤ 2^20).
        public var messages: [String]
        public var summed: String
    }

    public var description: String
    public var parameters: Parameters
    public var publicPolynomial: PublicPolynomial
    public var singleBlock: SingleBlock
    public var aggregation: Aggregation
    public var residueFailure: ResidueFailure
    public var keyDigits: Digits

    /// Pretty-printed, sorted keys, trailing newline: the bytes of rlwe.json.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public static let federation = "tessera-vectors"
    public static let job = "rlwe-mask-v1"
    public static let round: UInt32 = 3

    public static func generate(seed: Seed) throws -> RLWEVectors {
        let plannedContributors = 10, plannedSum: Int64 = (1 << 31) - 1
        let p = try MaskParameters.plan(maxContributors: plannedContributors, maxAbsSum: plannedSum)
        let n = p.n, top = Int64(1) << (p.messageBits - 1)
        func stream(_ label: String) -> ChaCha20DRBG { ChaCha20DRBG(seed: seed.derive("rlwe-vectors/" + label)) }
        func uniformValue(_ r: inout ChaCha20DRBG, _ bound: Int64) -> Int64 {
            Int64(r.uniform(below: UInt64(2 * bound + 1))) - bound
        }

        let blocks = 1
        let parameterBytes = p.transcriptEncoding(blockCount: blocks)
        let transcript = PublicPolynomials.transcript(federation: federation, job: job, round: round, parameters: parameterBytes)
        let key = PublicPolynomials.key(federation: federation, job: job, round: round, parameters: parameterBytes)
        let a0 = try PublicPolynomials.block(0, key: key), a1 = try PublicPolynomials.block(1, key: key)
        let publicPolynomial = PublicPolynomial(
            federation: federation, job: job, round: round, parameters: Hex.bytes(parameterBytes),
            transcript: Hex.bytes(transcript), key: Hex.bytes(key),
            a0First16: a0.prefix(16).map(Hex.word), a1First16: a1.prefix(16).map(Hex.word),
            a0Blake2b: Hex.bytes(Blake2b.hash(MaskedUpdate.bytes(a0), outputLength: 32)),
            a1Blake2b: Hex.bytes(Blake2b.hash(MaskedUpdate.bytes(a1), outputLength: 32)))

        // One block: x spans the whole b-bit range, its first two values at the ends.
        var r = stream("single")
        let s = try MaskSecret(coefficients: CenteredBinomial.sample(count: n, using: &r), parameters: p)
        let e = UniformErrors.sample(count: n, using: &r)
        var x = (0..<n).map { _ in uniformValue(&r, top - 1) }
        x[0] = top - 1
        x[1] = -top
        let single = SingleBlock(
            secret: Hex.int8(s.coefficients), errors: Hex.int32(e), values: Hex.int64(x),
            product: Hex.words(s.polynomial.multiply(a0)),
            masked: Hex.words(MaskedUpdate.maskBlocks(0..<1, values: x, secret: s.polynomial, errors: e, key: key, parameters: p)))

        // Three participants, 2000 values (48 padding coefficients), sums at the range's ends.
        let length = 2000, count = 3
        var secrets: [MaskSecret] = [], errors: [[Int32]] = [], updates: [[Int64]] = []
        for i in 0..<count {
            var r = stream("participant \(i)")
            secrets.append(try MaskSecret(coefficients: CenteredBinomial.sample(count: n, using: &r), parameters: p))
            errors.append(UniformErrors.sample(count: n, using: &r))
            var v = (0..<length).map { _ in uniformValue(&r, (top - 1) / Int64(count)) }
            v[0] = i == 0 ? top - 1 : 0                       // Σ = 2^(b−1) − 1
            v[1] = i == 1 ? -top : 0                          // Σ = −2^(b−1)
            v[2] = i == 2 ? -(top - 1) : top - 1              // wraps mod 2^b, Σ = 2^(b−1) − 1
            updates.append(v)
        }
        let masked = (0..<count).map {
            MaskedUpdate.maskBlocks(0..<blocks, values: updates[$0], secret: secrets[$0].polynomial, errors: errors[$0], key: key, parameters: p)
        }
        let secretSum = (0..<n).map { i in secrets.reduce(Int64(0)) { $0 + Int64($1.coefficients[i]) } }
        let sum = addWords(masked)
        let decoded = try MaskedSum.decodeBlock(0, sum: sum, secretSum: SmallSecret(coefficients: secretSum, bound: Int64(p.eta * count)),
                                                contributors: count, key: key, parameters: p, length: length).get()
        let aggregation = Aggregation(
            length: length,
            participants: (0..<count).map {
                Participant(secret: Hex.int8(secrets[$0].coefficients), errors: Hex.int32(errors[$0]),
                            values: Hex.int64(updates[$0]), masked: Hex.words(masked[$0]))
            },
            sum: Hex.words(sum), secretSum: Hex.int64(secretSum), decoded: Hex.int64(decoded))

        // Participant 2 masks under another secret.
        var rf = stream("residue failure")
        let liar = 2
        let other = try MaskSecret(coefficients: CenteredBinomial.sample(count: n, using: &rf), parameters: p)
        let lying = MaskedUpdate.maskBlocks(0..<blocks, values: updates[liar], secret: other.polynomial, errors: errors[liar], key: key, parameters: p)
        var wrongSum = masked
        wrongSum[liar] = lying
        let badSum = addWords(wrongSum)
        let outcome = try MaskedSum.decodeBlock(0, sum: badSum, secretSum: SmallSecret(coefficients: secretSum, bound: Int64(p.eta * count)),
                                                contributors: count, key: key, parameters: p, length: length)
        guard case .failure(let failure) = outcome,
              case .residueOutOfRange(let block, let coefficient, let residue, let lower, let upper) = failure else {
            preconditionFailure("the substituted secret must fail the residue check")
        }
        let residueFailure = ResidueFailure(
            participant: liar, maskingSecret: Hex.int8(other.coefficients), masked: Hex.words(lying),
            check: "residue", block: block, coefficient: coefficient, residue: String(residue), lower: String(lower),
            upper: String(upper), error: failure.description)

        let digits = try KeyDigits(maxContributors: plannedContributors)
        let messages = try secrets.map { try digits.pack($0.coefficients) }
        let summed = (0..<messages[0].count).map { i in messages.reduce(UInt64(0)) { $0 + $1[i] } }
        let unpacked = try digits.unpackSum(summed, contributors: count, count: n)
        precondition(unpacked == secretSum)
        let keyDigits = Digits(base: digits.base, digitsPerMessage: digits.digitsPerMessage,
                               messages: messages.map { Hex.int32($0.map { Int32($0) }) }, summed: Hex.int32(summed.map { Int32($0) }))

        return RLWEVectors(
            description: "RLWE mask layer (TesseraLattice): R = Z_2^64[X]/(X^n + 1); a_j = ChaCha20-IETF keystream under K = BLAKE2b-256(transcript), nonce u32le(j) ‖ 0^8, counter 0, as n little-endian u64; y = a_0·s + e + Δ·x mod 2^64 with x mod 2^b (two's complement), padding x = 0; decode value = signed b-bit of (Σy − a·S + Δ/2) >> (64 − b); residue = D − Δ·value must lie in [−P·2^19, P·2^19 − P]. Hex arrays are little-endian fixed-width two's complement: secrets 1 byte, errors and key-digit messages 4, values/secret sums/decoded sums/ring elements 8 (a ring element's hex is its wire encoding). Generated by `tessera vectors generate` (RLWEVectors.generate(seed: Seed(1).derive(\"rlwe\"))).",
            parameters: Parameters(n: n, messageBits: p.messageBits, errorBits: p.errorBits, eta: p.eta, delta: p.delta,
                                   maxContributors: p.maxContributors, plannedMaxContributors: plannedContributors,
                                   plannedMaxAbsSum: plannedSum),
            publicPolynomial: publicPolynomial, singleBlock: single, aggregation: aggregation,
            residueFailure: residueFailure, keyDigits: keyDigits)
    }

    static func addWords(_ vectors: [[UInt64]]) -> [UInt64] {
        (0..<vectors[0].count).map { i in vectors.reduce(UInt64(0)) { $0 &+ $1[i] } }
    }
}

/// Lower-case hex of little-endian fixed-width elements.
enum Hex {
    static func bytes(_ b: [UInt8]) -> String { b.hex }
    static func word(_ w: UInt64) -> String { bytes((0..<8).map { UInt8(truncatingIfNeeded: w >> (56 - 8 * UInt64($0))) }) }
    static func words(_ w: [UInt64]) -> String { bytes(MaskedUpdate.bytes(w)) }
    static func int64(_ v: [Int64]) -> String { words(v.map { UInt64(bitPattern: $0) }) }
    static func int32(_ v: [Int32]) -> String {
        bytes(v.flatMap { x -> [UInt8] in let u = UInt32(bitPattern: x); return (0..<4).map { UInt8(truncatingIfNeeded: u >> (8 * UInt32($0))) } })
    }
    static func int8(_ v: [Int8]) -> String { bytes(v.map { UInt8(bitPattern: $0) }) }
}
