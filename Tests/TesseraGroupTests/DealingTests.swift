import Testing
import TesseraGroup
import TesseraRandom

@Suite struct DealingTests {
    @Test func aWrongShareFailsAndQUALStillDecryptsFromAnyThreshold() async throws {
        var rng = ChaCha20DRBG(seed: Seed(350))
        let (t, n, keys) = (3, 5, 4)
        let dealings = try (1...n).map { _ in try Dealing.create(threshold: t, holders: n, keys: keys, using: &rng) }
        #expect(dealings.allSatisfy { $0.commitments.count == keys && $0.commitments.allSatisfy { $0.count == t } })
        // sent[i][j − 1] = dealer i's shares for holder j; dealer 2 (index 1) cheats holder 4.
        var sent = try dealings.map { d in try (1...n).map { try d.shares(for: $0) } }
        sent[1][3][2] = sent[1][3][2] + Scalar(1)
        var complaints: [(dealer: Int, holder: Int)] = []
        for i in 0..<n { for j in 1...n where !Dealing.verify(shares: sent[i][j - 1], index: j, commitments: dealings[i].commitments) {
            complaints.append((i + 1, j))
        } }
        #expect(complaints.map(\.dealer) == [2] && complaints.map(\.holder) == [4])

        let qual = [0, 2, 3, 4]  // dealer 2 disqualified
        let commitments = qual.map { dealings[$0].commitments }
        let publicKey = try Dealing.publicKey(commitments)
        #expect(publicKey.keys[0] == GroupElement.sum(qual.map { dealings[$0].commitments[0][0] }))
        let shares = try (1...n).map { j in try ElGamalKeyShare(index: j, summing: qual.map { sent[$0][j - 1] }) }
        let verificationKeys = try (1...n).map { try Dealing.verificationKey(index: $0, commitments) }
        #expect(zip(shares, verificationKeys).allSatisfy { $0.verificationKey == $1 })
        // Summing the disqualified dealer's bad share in gives a share that its key refuses.
        let tainted = try ElGamalKeyShare(index: 4, summing: (qual + [1]).map { sent[$0][3] })
        #expect(throws: GroupError.invalidParameters("key share 4 does not match its verification key")) {
            _ = try ElGamalKeyShare(index: 4, secrets: Array(try [Scalar](concatenated: tainted.serialized.suffix(keys * 32), count: keys, what: "x")),
                                    checkedAgainst: verificationKeys[3])
        }

        let encryptor = ElGamalEncryptor(publicKey: publicKey)
        let c = try await encryptor.encrypt([[3, 1, 4, 1], [5, 9]], using: &rng).ciphertexts
        let context = Array("dkg-test".utf8)
        var verified: [VerifiedElGamalPartial] = []
        for (s, k) in zip(shares, verificationKeys) {
            let p = try await s.partialDecrypt(c.map(\.c1), context: context, using: &rng)
            verified.append(try await k.verify(p, of: c.map(\.c1), context: context))
        }
        let expected = [[3, 1, 4, 1], [5, 9]].map { $0.map { GroupElement.base(Scalar(UInt64($0))) } }
        var subsets = 0
        for a in 0..<n { for b in (a + 1)..<n { for d in (b + 1)..<n {
            #expect(try await ElGamalCombiner.combine(c, partials: [verified[d], verified[a], verified[b]], threshold: t) == expected)
            subsets += 1
        } } }
        #expect(subsets == 10)
    }

    @Test func horner() throws {
        let f = try SecretPolynomial(coefficients: [Scalar(7), Scalar(5), Scalar(2)])
        #expect(f.evaluate(at: 3) == Scalar(7 + 15 + 18))
        #expect(Feldman.evaluate(f.commitments, at: 3) == GroupElement.base(Scalar(40)))
        #expect(Feldman.verify(share: Scalar(40), index: 3, commitments: f.commitments))
        #expect(!Feldman.verify(share: Scalar(40), index: 2, commitments: f.commitments))
        #expect(try Feldman.aggregate([f.commitments, f.commitments]) == [14, 10, 4].map { GroupElement.base(Scalar($0)) })
        #expect(!Dealing.verify(shares: [Scalar(40)], index: 3, commitments: [Array(f.commitments.prefix(2))]) )
        #expect(!Dealing.verify(shares: [Scalar(40), Scalar(40)], index: 3, commitments: [f.commitments]))
    }

    @Test func dealingsAndSharesSurviveARestart() throws {
        var rng = ChaCha20DRBG(seed: Seed(351))
        let d = try Dealing.create(threshold: 4, holders: 6, keys: 8, using: &rng)
        let restored = try Dealing(serialized: d.serialized)
        #expect(restored.commitments == d.commitments && restored.holders == 6 && restored.threshold == 4)
        #expect(try (1...6).allSatisfy { try restored.shares(for: $0) == d.shares(for: $0) })
        #expect(d.serialized.count == 4 + 26 + 12 + 8 * 4 * 32)
        #expect(throws: GroupError.invalidHolderIndex(7)) { try d.shares(for: 7) }

        var truncated = d.serialized
        truncated.removeLast()
        #expect(throws: GroupError.invalidSerialization("dealing: truncated at byte \(d.serialized.count - 128)")) {
            _ = try Dealing(serialized: truncated)
        }
        var nonCanonical = d.serialized
        let offset = 42 + 2 * 4 * 32 + 32  // key 3, coefficient 1
        for i in 0..<32 { nonCanonical[offset + i] = 0xff }
        #expect(throws: GroupError.nonCanonicalScalar(what: "dealing coefficient of key 3", index: 1)) {
            _ = try Dealing(serialized: nonCanonical)
        }
        #expect(throws: GroupError.invalidSerialization("dealing: not a tessera/elgamal/dealing/v1")) {
            _ = try Dealing(serialized: Array(ElGamalKeyShare(index: 1, secrets: [Scalar(1)]).serialized))
        }

        let share = try ElGamalKeyShare(index: 5, summing: [try d.shares(for: 5), try d.shares(for: 5)])
        let back = try ElGamalKeyShare(serialized: share.serialized)
        #expect(back.index == 5 && back.verificationKey == share.verificationKey)
        #expect(throws: GroupError.invalidSerialization("key share: 1 trailing bytes")) {
            _ = try ElGamalKeyShare(serialized: share.serialized + [0])
        }
        let encoded = Dealing.encode(commitments: d.commitments)
        #expect(try Dealing.decodeCommitments(encoded, keys: 8, threshold: 4, dealer: 2) == d.commitments)
        var bad = encoded
        bad[32 * 9] = 1; for i in 1..<32 { bad[32 * 9 + i] = 0 }
        #expect(throws: GroupError.invalidPoint(what: "commitment of dealer 2", index: 9)) {
            _ = try Dealing.decodeCommitments(bad, keys: 8, threshold: 4, dealer: 2)
        }
    }
}
