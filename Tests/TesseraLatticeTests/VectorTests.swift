import Foundation
import Testing
import TesseraLattice
import TesseraRandom

/// protocol/vectors/rlwe.json, every field recomputed from its inputs.
@Suite struct RLWEVectorTests {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("protocol/vectors/rlwe.json")

    static func load() throws -> (RLWEVectors, Data) {
        let data = try Data(contentsOf: url)
        return (try JSONDecoder().decode(RLWEVectors.self, from: data), data)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let u = Array(hex.utf8)
        precondition(u.count % 2 == 0, "odd hex length")
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        return stride(from: 0, to: u.count, by: 2).map { nibble(u[$0]) << 4 | nibble(u[$0 + 1]) }
    }
    static func littleEndian(_ hex: String, width: Int) -> [UInt64] {
        let b = bytes(hex)
        return stride(from: 0, to: b.count, by: width).map { i in (0..<width).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << (8 * UInt64($1)) } }
    }
    static func words(_ hex: String) -> [UInt64] { littleEndian(hex, width: 8) }
    static func int64s(_ hex: String) -> [Int64] { words(hex).map { Int64(bitPattern: $0) } }
    static func int32s(_ hex: String) -> [Int32] { littleEndian(hex, width: 4).map { Int32(bitPattern: UInt32($0)) } }
    static func int8s(_ hex: String) -> [Int8] { bytes(hex).map { Int8(bitPattern: $0) } }
    static func word(_ hex: String) -> UInt64 { UInt64(hex, radix: 16)! }

    @Test func parametersAndPublicPolynomials() throws {
        let (v, _) = try Self.load()
        let p = try MaskParameters.plan(maxContributors: v.parameters.plannedMaxContributors, maxAbsSum: v.parameters.plannedMaxAbsSum)
        #expect(v.parameters.n == p.n && v.parameters.messageBits == p.messageBits && v.parameters.errorBits == p.errorBits)
        #expect(v.parameters.eta == p.eta && v.parameters.delta == p.delta && v.parameters.maxContributors == p.maxContributors)
        #expect(v.parameters.messageBits == 32 && v.parameters.delta == 1 << 32)

        let pp = v.publicPolynomial
        let parameters = p.transcriptEncoding(blockCount: p.blockCount(length: v.aggregation.length))
        #expect(Self.bytes(pp.parameters) == parameters)
        let transcript = PublicPolynomials.transcript(federation: pp.federation, job: pp.job, round: pp.round, parameters: parameters)
        #expect(Self.bytes(pp.transcript) == transcript)
        let key = Self.bytes(pp.key)
        #expect(key == Blake2b.hash(transcript, outputLength: 32))
        #expect(key == PublicPolynomials.key(federation: pp.federation, job: pp.job, round: pp.round, parameters: parameters))
        let a0 = try PublicPolynomials.block(0, key: key), a1 = try PublicPolynomials.block(1, key: key)
        #expect(pp.a0First16.map(Self.word) == Array(a0.prefix(16)))
        #expect(pp.a1First16.map(Self.word) == Array(a1.prefix(16)))
        #expect(Self.bytes(pp.a0Blake2b) == Blake2b.hash(MaskedUpdate.bytes(a0), outputLength: 32))
        #expect(Self.bytes(pp.a1Blake2b) == Blake2b.hash(MaskedUpdate.bytes(a1), outputLength: 32))
        #expect(a0 == independentBlock(0, key: key, n: p.n))
    }

    @Test func oneMaskedBlock() async throws {
        let (v, _) = try Self.load()
        let p = try MaskParameters(messageBits: v.parameters.messageBits)
        let key = Self.bytes(v.publicPolynomial.key)
        let s = Self.int8s(v.singleBlock.secret), e = Self.int32s(v.singleBlock.errors), x = Self.int64s(v.singleBlock.values)
        #expect(s.count == p.n && e.count == p.n && x.count == p.n)
        #expect(x[0] == (1 << 31) - 1 && x[1] == -(1 << 31) && x.allSatisfy { p.valueRange.contains($0) })
        #expect(e.allSatisfy { $0 >= -(1 << 19) && $0 < 1 << 19 } && s.allSatisfy { (-4...4).contains($0) })
        let a0 = try PublicPolynomials.block(0, key: key)
        // Independently of the NTT: schoolbook product, then the formula.
        let product = schoolbook(a0, s.map(Int64.init))
        #expect(Self.words(v.singleBlock.product) == product)
        let masked = (0..<p.n).map { product[$0] &+ UInt64(bitPattern: Int64(e[$0])) &+ (UInt64(bitPattern: x[$0]) << 32) }
        #expect(Self.words(v.singleBlock.masked) == masked)
        let secret = try MaskSecret(coefficients: s, parameters: p)
        #expect(try await MaskedUpdate.mask(values: x, secret: secret.polynomial, errors: e, key: key, parameters: p, parallelism: .serial) == masked)
    }

    @Test func aggregationResidueFailureAndKeyDigits() async throws {
        let (v, _) = try Self.load()
        let p = try MaskParameters(messageBits: v.parameters.messageBits)
        let key = Self.bytes(v.publicPolynomial.key)
        let agg = v.aggregation
        var sum = MaskedSum(parameters: p, length: agg.length)
        var secrets: [[Int8]] = [], values: [[Int64]] = [], errors: [[Int32]] = [], masked: [[UInt64]] = []
        for participant in agg.participants {
            let s = Self.int8s(participant.secret), e = Self.int32s(participant.errors), x = Self.int64s(participant.values)
            #expect(x.count == agg.length && e.count == p.n)
            let y = try await MaskedUpdate.mask(values: x, secret: MaskSecret(coefficients: s, parameters: p).polynomial, errors: e,
                                                key: key, parameters: p, parallelism: .serial)
            #expect(Self.words(participant.masked) == y)
            try sum.add(y)
            secrets.append(s); values.append(x); errors.append(e); masked.append(y)
        }
        #expect(Self.words(agg.sum) == sum.words)
        let S = (0..<p.n).map { i in secrets.reduce(Int64(0)) { $0 + Int64($1[i]) } }
        #expect(Self.int64s(agg.secretSum) == S)
        let decoded = try await sum.decode(secretSum: S, key: key)
        #expect(Self.int64s(agg.decoded) == decoded)
        #expect(decoded == columnSums(values))
        #expect(decoded[0] == (1 << 31) - 1 && decoded[1] == -(1 << 31) && decoded[2] == (1 << 31) - 1)

        let f = v.residueFailure
        #expect(f.check == "residue")
        let lying = try await MaskedUpdate.mask(values: values[f.participant],
                                                secret: MaskSecret(coefficients: Self.int8s(f.maskingSecret), parameters: p).polynomial,
                                                errors: errors[f.participant], key: key, parameters: p, parallelism: .serial)
        #expect(Self.words(f.masked) == lying)
        var bad = MaskedSum(parameters: p, length: agg.length)
        for (i, y) in masked.enumerated() { try bad.add(i == f.participant ? lying : y) }
        let expected = LatticeError.residueOutOfRange(block: f.block, coefficient: f.coefficient, residue: Int64(f.residue)!,
                                                      lower: Int64(f.lower)!, upper: Int64(f.upper)!)
        #expect(Int64(f.lower)! == -3 << 19 && Int64(f.upper)! == (3 << 19) - 3)
        await #expect(throws: expected) { try await bad.decode(secretSum: S, key: key) }
        #expect(expected.description == f.error)

        let digits = try KeyDigits(maxContributors: v.parameters.plannedMaxContributors)
        #expect(v.keyDigits.base == digits.base && v.keyDigits.digitsPerMessage == digits.digitsPerMessage)
        let messages = try secrets.map { try digits.pack($0) }
        #expect(v.keyDigits.messages.map { Self.littleEndian($0, width: 4) } == messages)
        let summed = (0..<messages[0].count).map { i in messages.reduce(UInt64(0)) { $0 + $1[i] } }
        #expect(Self.littleEndian(v.keyDigits.summed, width: 4) == summed)
        #expect(try digits.unpackSum(summed, contributors: secrets.count, count: p.n) == S)
    }

    @Test func theFileIsWhatTheGeneratorWrites() throws {
        let (v, data) = try Self.load()
        let regenerated = try RLWEVectors.generate(seed: Seed(1).derive("rlwe"))
        #expect(regenerated == v)
        #expect(try regenerated.jsonData() == data)
    }
}
