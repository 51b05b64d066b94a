import Foundation
import NIOSSL
import Testing
import TesseraCrypto
import TesseraKeys
import TesseraMath
import TesseraRandom

/// Loading a node's keys from a federation directory (the TEST layout) and checking them
/// against the signed manifest.
@Suite struct LoadingTests {
    @Test func identitiesAndSharesLoadAndWork() throws {
        let keys = try FederationKeys.load(directory: Fixtures.main)
        #expect(keys.layout == .federation)
        #expect(keys.caCertificatePEM == (try read(Fixtures.main + "/ca.pem")))
        let coordinator = try keys.coordinatorIdentity()
        #expect(coordinator.id == "coordinator" && coordinator.role == .coordinator)
        #expect(coordinator.certificateFingerprint == keys.manifest.coordinator?.certFingerprint)
        _ = try NIOSSLPrivateKey(bytes: Array(coordinator.privateKeyPEM.utf8), format: .pem)

        var rng = ChaCha20DRBG(seed: Seed(5))
        let m = BigInt(123_456_789)
        let key = try keys.thresholdKey
        let c = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(m, using: &rng)
        var partials: [PartialDecryption] = []
        for id in Fixtures.participants {
            let (identity, share) = try keys.participantIdentity(id)
            let share_ = try #require(share)
            #expect(identity.id == id)
            #expect(try share_.index == keys.federationInfo.participants[id]?.shareIndex)
            #expect(keys.participant(withFingerprint: identity.certificateFingerprint)?.id == id)
            let message = Array("hello from \(id)".utf8)
            #expect(keys.verifyingKey(for: id)?.isValidSignature(identity.signingKey.sign(message), for: message) == true)
            #expect(identity.sealingKey.publicKey == keys.manifest.member(id)?.sealingKey)
            let partial = try share_.partialDecrypt(c, using: &rng)
            _ = try key.verify(partial, of: c)
            partials.append(partial)
        }
        #expect(try key.combine(Array(partials.prefix(2)), of: c) == m)
        #expect(keys.verifyingKey(for: "coordinator") == coordinator.signingKey.verifyingKey)
        #expect(keys.verifyingKey(for: "mallory") == nil)
        #expect(keys.participant(withFingerprint: keys.manifest.coordinator!.certFingerprint!) == nil)
        #expect(throws: FederationKeysError.unknownNode(id: "mallory", manifest: Fixtures.main + "/manifest.json")) {
            try keys.participantIdentity("mallory")
        }
        let dealer = try keys.dealerIdentity()
        #expect(dealer.id == "dealer" && dealer.signingKey.verifyingKey == keys.manifest.dealer?.signingKey)
        let info = try keys.federationInfo
        #expect(info.name == "unit" && info.participantIDs == Fixtures.participants && info.holders == Fixtures.participants)
        #expect(info.participant(withFingerprint: keys.manifest.participants[1].certFingerprint!)?.id == "brand-b")
        #expect(info.participants["brand-b"]?.sealingKey == keys.manifest.participant("brand-b")?.sealingKey)
        #expect(info.epoch.count == 16 && info.keyThreshold == 2 && info.thresholdKey?.threshold == 2)
    }

    @Test func aNodeNeedsOnlyItsOwnDirectory() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        for path in ["ca-key.pem", "coordinator", "dealer", "participants/brand-b", "participants/brand-c"] {
            try FileManager.default.removeItem(atPath: dir + "/" + path)
        }
        let keys = try FederationKeys.load(directory: dir)
        #expect(try keys.participantIdentity("brand-a").1 != nil)
        #expect(throws: FederationKeysError.missingFile(path: dir + "/participants/brand-b/cert.pem")) {
            try keys.participantIdentity("brand-b")
        }
    }

    @Test(arguments: ["participants/brand-a/key.pem", "participants/brand-a/signing.key", "participants/brand-a/sealing.key"])
    func aSecretReadableByOthersIsRefusedNamingTheFileAndMode(file: String) throws {
        let dir = try Fixtures.copy(Fixtures.main)
        let path = dir + "/" + file
        for bad in [0o644, 0o640, 0o604, 0o660, 0o602] {
            chmod(path, mode_t(bad))
            let message = failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }
            let octal = "0" + String(bad, radix: 8)
            #expect(message == "\(path): mode \(octal) lets others read or write this secret; run chmod 600 \(path)", "\(message ?? "no error")")
        }
        chmod(path, 0o400)
        _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a")
        chmod(path, 0o600)
        _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a")
    }

    @Test func theCoordinatorAndTheCARefuseSecretsReadableByOthers() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        chmod(dir + "/coordinator/sealing.key", 0o644)
        #expect(failure { _ = try FederationKeys.load(directory: dir).coordinatorIdentity() }?
            .contains("\(dir)/coordinator/sealing.key: mode 0644") == true)
        chmod(dir + "/ca-key.pem", 0o640)
        #expect(failure { _ = try CertificateAuthority.load(directory: dir) } == "\(dir)/ca-key.pem: mode 0640 lets others read or write this secret; run chmod 600 \(dir)/ca-key.pem")
        chmod(dir + "/dealer/signing.key", 0o644)
        #expect(failure { _ = try FederationKeys.load(directory: dir).dealerIdentity() }?.contains("\(dir)/dealer/signing.key: mode 0644") == true)
    }

    @Test func aCertificateWithAnotherFingerprintIsRefusedNamingIt() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        // A perfectly valid certificate from the same CA, with the right name and a key file
        // to go with it, but not the one the manifest pins.
        let (replacement, key) = try FederationKeys.issueCertificate(directory: dir, commonName: "brand-b")
        try write(replacement.certificatePEM, to: dir + "/participants/brand-b/cert.pem")
        try write(key, to: dir + "/participants/brand-b/key.pem")
        chmod(dir + "/participants/brand-b/key.pem", 0o600)
        let keys = try FederationKeys.load(directory: dir)
        let message = failure { _ = try keys.participantIdentity("brand-b") }
        #expect(message?.contains(dir + "/participants/brand-b/cert.pem") == true && message?.contains("fingerprint") == true, "\(message ?? "no error")")
        _ = try keys.participantIdentity("brand-a")

        // The coordinator's certificate replaced by a participant's.
        try FileManager.default.removeItem(atPath: dir + "/coordinator/cert.pem")
        try FileManager.default.copyItem(atPath: dir + "/participants/brand-a/cert.pem", toPath: dir + "/coordinator/cert.pem")
        #expect(failure { _ = try keys.coordinatorIdentity() }?.contains(dir + "/coordinator/cert.pem") == true)
    }

    @Test func aKeyThatDoesNotMatchItsCertificateIsRefused() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        try FileManager.default.removeItem(atPath: dir + "/participants/brand-a/key.pem")
        try FileManager.default.copyItem(atPath: dir + "/participants/brand-b/key.pem", toPath: dir + "/participants/brand-a/key.pem")
        let message = failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }
        #expect(message?.contains(dir + "/participants/brand-a/key.pem") == true && message?.contains("does not match") == true, "\(message ?? "no error")")
    }

    @Test func aCAThatIsNotTheManifestsIsRefused() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        try FileManager.default.removeItem(atPath: dir + "/ca.pem")
        try FileManager.default.copyItem(atPath: Fixtures.other + "/ca.pem", toPath: dir + "/ca.pem")
        let message = failure { _ = try FederationKeys.load(directory: dir) }
        #expect(message?.contains(dir + "/ca.pem") == true && message?.contains("caFingerprint") == true, "\(message ?? "no error")")
    }

    @Test(arguments: ["manifest.json", "participants/brand-c/key.pem", "participants/brand-c/cert.pem",
                      "participants/brand-c/signing.key", "participants/brand-c/sealing.key"])
    func aMissingFileIsRefusedNamingIt(file: String) throws {
        let dir = try Fixtures.copy(Fixtures.main)
        try FileManager.default.removeItem(atPath: dir + "/" + file)
        #expect(throws: FederationKeysError.missingFile(path: dir + "/" + file)) {
            _ = try FederationKeys.load(directory: dir).participantIdentity("brand-c")
        }
    }

    /// A federation without a dealer runs (the one-shot scheme needs none): no Paillier key,
    /// no share, and asking for the Paillier key says why there is none.
    @Test func withoutADealingThereIsNoPaillierKeyNorShare() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        try FileManager.default.removeItem(atPath: dir + "/paillier-dealing.json")
        let keys = try FederationKeys.load(directory: dir)
        #expect(try keys.participantIdentity("brand-a").1 == nil)
        let info = try keys.federationInfo
        #expect(info.thresholdKey == nil && info.participants.values.allSatisfy { $0.shareIndex == 0 })
        #expect(failure { _ = try keys.thresholdKey }?.contains("no Paillier dealing installed") == true)
    }

    @Test func aDealingOfAnotherFederationOrAlteredIsRefused() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        let path = dir + "/paillier-dealing.json"
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: Fixtures.other + "/paillier-dealing.json", toPath: path)
        let message = failure { _ = try FederationKeys.load(directory: dir) }
        #expect(message?.contains(path) == true && message?.contains("epoch") == true, "\(message ?? "no error")")

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: Fixtures.main + "/paillier-dealing.json", toPath: path)
        var object = try jsonObject(path)
        object["threshold"] = 3
        try writeJSON(object, to: path)
        let altered = failure { _ = try FederationKeys.load(directory: dir) }
        #expect(altered?.contains("dealer's signature does not verify") == true, "\(altered ?? "no error")")
    }

    @Test func aSigningOrSealingKeyThatIsNotTheManifestsIsRefused() throws {
        for name in ["signing.key", "sealing.key"] {
            let dir = try Fixtures.copy(Fixtures.main)
            let path = dir + "/participants/brand-a/" + name
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: Fixtures.other + "/participants/brand-a/" + name, toPath: path)
            let message = failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }
            let field = name == "signing.key" ? "signingKey" : "sealingKey"
            #expect(message?.contains(path) == true && message?.contains(field) == true, "\(message ?? "no error")")
        }
        // A signing key where the sealing key belongs (PKCS#8 of the other curve) is named as such.
        let dir = try Fixtures.copy(Fixtures.main)
        let sealing = dir + "/participants/brand-a/sealing.key"
        try FileManager.default.removeItem(atPath: sealing)
        try FileManager.default.copyItem(atPath: dir + "/participants/brand-a/signing.key", toPath: sealing)
        let message = failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }
        #expect(message?.contains(sealing) == true && message?.contains("Ed25519 key, expected an X25519") == true, "\(message ?? "no error")")
    }

    @Test func badPEMIsRefusedNamingTheFile() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        let cert = dir + "/participants/brand-a/cert.pem"
        try write("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", to: cert)
        #expect(failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }?.contains(cert) == true)
        let key = dir + "/participants/brand-b/signing.key"
        try KeyFiles.writeSecret(Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8), to: key)
        #expect(failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-b") }?.contains(key) == true)
    }

    @Test func aCAIssuedCertificateForAnIdOutsideTheManifest() throws {
        let dir = Fixtures.main
        let (mallory, key) = try FederationKeys.issueCertificate(directory: dir, commonName: "mallory")
        let path = temporaryDirectory() + "/mallory.pem"
        try write(mallory.certificatePEM, to: path)
        #expect(try openssl(["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", dir + "/ca.pem", path]).status == 0)
        _ = try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)
        let cert = try NIOSSLCertificate(bytes: Array(mallory.certificatePEM.utf8), format: .pem)
        #expect(try FederationKeys.commonName(ofDER: try cert.toDERBytes()) == "mallory")
        #expect(FederationKeys.fingerprint(ofDER: try cert.toDERBytes()) == mallory.fingerprint)
        let keys = try FederationKeys.load(directory: dir)
        #expect(keys.participant(withFingerprint: mallory.fingerprint) == nil)
        #expect(keys.verifyingKey(for: "mallory") == nil)
    }
}
