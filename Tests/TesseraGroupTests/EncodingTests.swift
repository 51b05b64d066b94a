import Testing
import TesseraGroup
import TesseraRandom

@Suite struct EncodingTests {
    let invalidPoint = bytes("0100000000000000000000000000000000000000000000000000000000000000")
    let ell = bytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    @Test func pointListsNameTheInvalidIndex() throws {
        let good = (1...4).map { GroupElement.base(Scalar(UInt64($0))) }
        var wire = good.concatenated
        #expect(try [GroupElement](concatenated: wire, count: 4, what: "randomness") == good)
        wire.replaceSubrange(64..<96, with: invalidPoint)
        #expect(throws: GroupError.invalidPoint(what: "randomness", index: 2)) {
            try [GroupElement](concatenated: wire, count: 4, what: "randomness")
        }
        #expect(GroupError.invalidPoint(what: "randomness", index: 2).description == "invalid ristretto255 encoding: randomness #2")
        #expect(throws: GroupError.invalidLength(what: "randomness (5 points)", expected: 160, found: 128)) {
            try [GroupElement](concatenated: wire, count: 5, what: "randomness")
        }
    }

    @Test func scalarListsNameTheNonCanonicalIndex() throws {
        var wire = [Scalar(1), Scalar(2), Scalar(3)].concatenated
        wire.replaceSubrange(32..<64, with: ell)
        #expect(throws: GroupError.nonCanonicalScalar(what: "randomness proof scalar", index: 1)) {
            try RandomnessProof(encoded: wire, groups: 2)
        }
        #expect(throws: GroupError.nonCanonicalScalar(what: "partial decryption proof scalar", index: 1)) {
            try ElGamalPartialDecryption.Proof(encoded: wire, keys: 2)
        }
    }

    @Test func wireTypesNameWhatWasInvalid() throws {
        let c = ElGamalCiphertext(c1: .generator, c2: [.base(Scalar(2)), .base(Scalar(3))])
        #expect(try ElGamalCiphertext(encoded: c.encoded, messages: 2) == c)
        var bad = c.encoded
        bad.replaceSubrange(64..<96, with: invalidPoint)
        #expect(throws: GroupError.invalidPoint(what: "ciphertext 7", index: 2)) {
            try ElGamalCiphertext(encoded: bad, messages: 2, what: "ciphertext 7")
        }
        #expect(throws: GroupError.invalidPoint(what: "decryption share of holder 3", index: 2)) {
            try ElGamalPartialDecryption(index: 3, encodedShares: bad, groups: 1, keys: 3,
                                         encodedProof: [Scalar](repeating: .one, count: 4).concatenated)
        }
        #expect(throws: GroupError.invalidPoint(what: "verification key of holder 2", index: 2)) {
            try ElGamalVerificationKey(index: 2, encoded: bad, count: 3)
        }
        #expect(throws: GroupError.invalidPoint(what: "public key component (identity)", index: 1)) {
            try ElGamalPublicKey(keys: [.generator, .identity])
        }
        #expect(throws: GroupError.invalidPoint(what: "public key component", index: 2)) {
            try ElGamalPublicKey(encoded: bad, count: 3)
        }
    }
}

@Suite struct CiphertextVectorEncodingTests {
    @Test func aSubmissionDecodesNamingGroupAndPosition() throws {
        let cs = [ElGamalCiphertext(c1: .generator, c2: [.base(Scalar(2)), .base(Scalar(3))]),
                  ElGamalCiphertext(c1: .base(Scalar(4)), c2: [.base(Scalar(5))])]
        #expect(try [ElGamalCiphertext](concatenated: cs.concatenated, groupSizes: [2, 1], what: "brand-a") == cs)
        var bad = cs.concatenated
        bad.replaceSubrange(128..<160, with: bytes("0100000000000000000000000000000000000000000000000000000000000000"))
        #expect(throws: GroupError.invalidPoint(what: "brand-a, group 1", index: 1)) {
            try [ElGamalCiphertext](concatenated: bad, groupSizes: [2, 1], what: "brand-a")
        }
        #expect(throws: GroupError.invalidLength(what: "brand-a (2 groups, 6 points)", expected: 192, found: 160)) {
            try [ElGamalCiphertext](concatenated: cs.concatenated, groupSizes: [2, 2], what: "brand-a")
        }
    }

    @Test func secretsStayOutOfDumps() {
        var out = ""
        dump(Scalar(123_456_789), to: &out)
        #expect(!out.contains("123456789") && !out.contains("15cd5b07") && out.contains("Scalar(redacted)"))
    }
}
