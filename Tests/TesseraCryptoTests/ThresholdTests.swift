import Testing
import TesseraCrypto
import TesseraMath
import TesseraRandom

@Suite struct ThresholdTests {
    /// Rebuilds the key and partial decryptions of protocol/vectors/threshold.json.
    func vectorKey() throws -> (ThresholdPublicKey, [String: Any]) {
        let json = try Fixtures.vectors("threshold.json")
        let k = json["key"] as! [String: Any]
        let paillier = try PaillierPublicKey(n: hex(k["n"]), h: hex(k["h"]))
        #expect(paillier.id.description == k["keyID"] as! String)
        let key = try ThresholdPublicKey(paillier: paillier, threshold: k["threshold"] as! Int, shareCount: k["shareCount"] as! Int,
                                         verificationBase: hex(k["verificationBase"]),
                                         verificationKeys: (k["verificationKeys"] as! [String]).map { BigInt(hex: $0)! })
        return (key, json)
    }

    func partial(_ p: [String: Any], _ key: ThresholdPublicKey) -> PartialDecryption {
        PartialDecryption(index: p["index"] as! Int, keyID: key.id, value: hex(p["value"]),
                          proof: .init(challenge: hex(p["challenge"]), response: hex(p["response"])))
    }

    @Test func knownAnswerVectorsVerifyAndCombine() throws {
        let (key, json) = try vectorKey()
        let c = try key.paillier.ciphertext(hex(json["c"]))
        #expect(try key.paillier.encrypt(hex(json["m"]), randomness: hex(json["r"])) == c)
        let partials = (json["partials"] as! [[String: Any]]).map { partial($0, key) }
        for p in partials { try key.verify(p, of: c) }
        for pair in [[0, 1], [0, 2], [1, 2]] {
            #expect(try key.combine(pair.map { partials[$0] }, of: c) == hex(json["m"]))
        }
        // The stored shares reproduce the stored partial decryption values.
        var rng = ChaCha20DRBG(seed: Seed(1))
        for s in json["shares"] as! [[String: Any]] {
            let share = try KeyShare(index: s["index"] as! Int, secret: hex(s["secret"]), publicKey: key)
            #expect(try share.partialDecrypt(c, using: &rng).value == partials[share.index - 1].value)
        }
    }

    @Test func invalidVectorPartialsAreRejectedNamingTheHolder() throws {
        let (key, json) = try vectorKey()
        let c = try key.paillier.ciphertext(hex(json["c"]))
        let invalid = json["invalidPartials"] as! [[String: Any]]
        #expect(invalid.count >= 3)
        for p in invalid.map({ partial($0, key) }) {
            #expect(throws: PaillierError.invalidProof(shareHolder: p.index)) { try key.verify(p, of: c) }
        }
    }

    @Test func everyThresholdSubsetDecryptsAndFewerRefuse() throws {
        let (key, shares) = Fixtures.threshold
        var rng = ChaCha20DRBG(seed: Seed(20))
        let m = BigInt.random(below: key.paillier.n, using: &rng)
        let c = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(m, using: &rng)
        let partials = try shares.map { try $0.partialDecrypt(c, using: &rng) }
        var subsets = 0
        for a in 0..<5 { for b in (a + 1)..<5 { for d in (b + 1)..<5 {
            #expect(try key.combine([partials[d], partials[a], partials[b]], of: c) == m)
            subsets += 1
        } } }
        #expect(subsets == 10)
        #expect(try key.combine(partials, of: c) == m)
        #expect(throws: PaillierError.insufficientShares(have: 2, need: 3)) { try key.combine(Array(partials.prefix(2)), of: c) }
        #expect(throws: PaillierError.duplicateShare(index: 1)) { try key.combine([partials[0], partials[0], partials[1]], of: c) }
    }

    @Test func interpolatingBelowTheThresholdYieldsGarbage() throws {
        // Pretend the 3-of-5 key were 2-of-5: two shares interpolate a wrong secret, so the
        // "decryption" is not the plaintext. (Security: t − 1 shares carry no information on d.)
        let (key, shares) = Fixtures.threshold
        let weakened = try ThresholdPublicKey(paillier: key.paillier, threshold: 2, shareCount: 5,
                                              verificationBase: key.verificationBase, verificationKeys: key.verificationKeys)
        var rng = ChaCha20DRBG(seed: Seed(21))
        let m = BigInt(424242)
        let c = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(m, using: &rng)
        let two = try shares.prefix(2).map { try $0.partialDecrypt(c, using: &rng) }
        #expect(try weakened.combine(two, of: c) != m)
    }

    @Test func aWrongShareIsCaughtAndNamed() throws {
        let (key, shares) = Fixtures.threshold
        var rng = ChaCha20DRBG(seed: Seed(22))
        let c = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(BigInt(5), using: &rng)
        let c2 = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(BigInt(6), using: &rng)
        let honest = try shares[1].partialDecrypt(c, using: &rng)
        // Holder 3's work submitted as holder 2's.
        let impostor = try shares[2].partialDecrypt(c, using: &rng)
        let swapped = PartialDecryption(index: 2, keyID: key.id, value: impostor.value, proof: impostor.proof)
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(swapped, of: c) }
        // A valid partial for another ciphertext.
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(honest, of: c2) }
        // A tampered value with the original proof.
        let tampered = PartialDecryption(index: 2, keyID: key.id, value: (honest.value * 4).modulo(key.paillier.nSquared), proof: honest.proof)
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.verify(tampered, of: c) }
        // An unknown holder.
        let stranger = PartialDecryption(index: 9, keyID: key.id, value: honest.value, proof: honest.proof)
        #expect(throws: PaillierError.unknownShareHolder(index: 9)) { try key.verify(stranger, of: c) }
        // Combination names the bad holder even among good ones.
        let good = try [shares[0], shares[3]].map { try $0.partialDecrypt(c, using: &rng) }
        #expect(throws: PaillierError.invalidProof(shareHolder: 2)) { try key.combine(good + [swapped], of: c) }
    }

    @Test func materialFromAnotherKeyIsRefused() throws {
        let (key, shares) = Fixtures.threshold
        var rng = ChaCha20DRBG(seed: Seed(23))
        let (otherKey, otherShares) = try ThresholdDealer.deal(key: Fixtures.otherKey, threshold: 2, shareCount: 3, using: &rng)
        let c = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(BigInt(5), using: &rng)
        let foreignCiphertext = try PaillierEncryptor(publicKey: otherKey.paillier, windowBits: 4).encrypt(BigInt(5), using: &rng)
        #expect(throws: PaillierError.keyMismatch(expected: key.id, found: otherKey.id)) {
            try shares[0].partialDecrypt(foreignCiphertext, using: &rng)
        }
        let foreignPartial = try otherShares[0].partialDecrypt(foreignCiphertext, using: &rng)
        #expect(throws: PaillierError.keyMismatch(expected: key.id, found: otherKey.id)) { try key.verify(foreignPartial, of: c) }
        // A share's secret restored against the wrong public key fails its verification key.
        #expect(throws: PaillierError.self) {
            try KeyShare(index: 1, secret: otherShares[0].secretForStorage, publicKey: key)
        }
        #expect(throws: PaillierError.unknownShareHolder(index: 6)) {
            try KeyShare(index: 6, secret: shares[0].secretForStorage, publicKey: key)
        }
        #expect(throws: PaillierError.self) { try ThresholdDealer.deal(key: Fixtures.key, threshold: 4, shareCount: 3, using: &rng) }
    }

    @Test func sharesDoNotPrintTheirSecret() {
        let share = Fixtures.threshold.1[0]
        #expect(!String(describing: share).contains(share.secretForStorage.hex))
        #expect(String(describing: share).contains("redacted"))
    }
}
