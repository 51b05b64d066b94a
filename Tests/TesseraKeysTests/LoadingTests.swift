import Foundation
import NIOSSL
import Testing
import TesseraCrypto
import TesseraKeys
import TesseraMath
import TesseraRandom

@Suite struct LoadingTests {
    @Test func identitiesAndSharesLoadAndWork() throws {
        let keys = try FederationKeys.load(directory: Fixtures.main)
        #expect(keys.caCertificatePEM == (try read(Fixtures.main + "/ca.pem")))
        let coordinator = try keys.coordinatorIdentity()
        #expect(coordinator.id == "coordinator")
        #expect(coordinator.certificateFingerprint == keys.manifest.coordinator.certFingerprint)
        _ = try NIOSSLPrivateKey(bytes: Array(coordinator.privateKeyPEM.utf8), format: .pem)

        var rng = ChaCha20DRBG(seed: Seed(5))
        let m = BigInt(123_456_789)
        let c = try PaillierEncryptor(publicKey: keys.thresholdKey.paillier, windowBits: 4).encrypt(m, using: &rng)
        var partials: [PartialDecryption] = []
        for id in Fixtures.participants {
            let (identity, share) = try keys.participantIdentity(id)
            #expect(identity.id == id)
            #expect(share.index == keys.manifest.participant(id)?.shareIndex)
            #expect(keys.participant(withFingerprint: identity.certificateFingerprint)?.id == id)
            // The signing key is the one the manifest lists.
            let message = Array("hello from \(id)".utf8)
            #expect(keys.verifyingKey(for: id)?.isValidSignature(identity.signingKey.sign(message), for: message) == true)
            // The share verifies against the public key: its partial decryption's proof checks.
            let partial = try share.partialDecrypt(c, using: &rng)
            _ = try keys.thresholdKey.verify(partial, of: c)
            partials.append(partial)
        }
        #expect(try keys.thresholdKey.combine(Array(partials.prefix(2)), of: c) == m)
        #expect(keys.verifyingKey(for: "coordinator") == coordinator.signingKey.verifyingKey)
        #expect(keys.verifyingKey(for: "mallory") == nil)
        #expect(keys.participant(withFingerprint: keys.manifest.coordinator.certFingerprint) == nil)
        #expect(throws: FederationKeysError.unknownNode(id: "mallory", manifest: Fixtures.main + "/manifest.json")) {
            try keys.participantIdentity("mallory")
        }
        let info = keys.federationInfo
        #expect(info.name == "unit" && info.participantIDs == Fixtures.participants)
        #expect(info.participant(withFingerprint: keys.manifest.participants[1].certFingerprint)?.id == "brand-b")
    }

    @Test func aNodeNeedsOnlyItsOwnDirectory() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        for path in ["ca-key.pem", "coordinator", "participants/brand-b", "participants/brand-c"] {
            try FileManager.default.removeItem(atPath: dir + "/" + path)
        }
        let keys = try FederationKeys.load(directory: dir)
        _ = try keys.participantIdentity("brand-a")
        #expect(throws: FederationKeysError.missingFile(path: dir + "/participants/brand-b/cert.pem")) {
            try keys.participantIdentity("brand-b")
        }
    }

    @Test func aCertificateWithAnotherFingerprintIsRefusedNamingIt() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        // A perfectly valid certificate from the same CA, with the right name, but not the one
        // the manifest pins.
        let replacement = try FederationKeys.issueCertificate(directory: dir, commonName: "brand-b")
        try replacement.certificatePEM.write(toFile: dir + "/participants/brand-b/cert.pem", atomically: true, encoding: .utf8)
        try replacement.privateKeyPEM.write(toFile: dir + "/participants/brand-b/key.pem", atomically: true, encoding: .utf8)
        let keys = try FederationKeys.load(directory: dir)
        let message = failure { _ = try keys.participantIdentity("brand-b") }
        #expect(message?.contains(dir + "/participants/brand-b/cert.pem") == true, "\(message ?? "no error")")
        #expect(message?.contains("fingerprint") == true)
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
        #expect(message?.contains(dir + "/participants/brand-a/key.pem") == true, "\(message ?? "no error")")
    }

    @Test func aCAThatIsNotTheManifestsIsRefused() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        try FileManager.default.removeItem(atPath: dir + "/ca.pem")
        try FileManager.default.copyItem(atPath: Fixtures.other + "/ca.pem", toPath: dir + "/ca.pem")
        let message = failure { _ = try FederationKeys.load(directory: dir) }
        #expect(message?.contains(dir + "/ca.pem") == true && message?.contains("caFingerprint") == true, "\(message ?? "no error")")
    }

    @Test(arguments: ["manifest.json", "ca.pem", "participants/brand-c/key.pem", "participants/brand-c/cert.pem",
                      "participants/brand-c/signing.key", "participants/brand-c/paillier-share.json"])
    func aMissingFileIsRefusedNamingIt(file: String) throws {
        let dir = try Fixtures.copy(Fixtures.main)
        try FileManager.default.removeItem(atPath: dir + "/" + file)
        #expect(throws: FederationKeysError.missingFile(path: dir + "/" + file)) {
            _ = try FederationKeys.load(directory: dir).participantIdentity("brand-c")
        }
    }

    @Test func aShareWhoseIndexDiffersFromTheManifestIsRefused() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        let a = dir + "/participants/brand-a/paillier-share.json", b = dir + "/participants/brand-b/paillier-share.json"
        let shareA = try Data(contentsOf: URL(fileURLWithPath: a))
        try FileManager.default.removeItem(atPath: a)
        try FileManager.default.moveItem(atPath: b, toPath: a)
        try shareA.write(to: URL(fileURLWithPath: b))
        let keys = try FederationKeys.load(directory: dir)
        let message = failure { _ = try keys.participantIdentity("brand-a") }
        #expect(message?.contains(a) == true && message?.contains("share index 2") == true, "\(message ?? "no error")")
        // A share of another ceremony's key is refused by its key id.
        try FileManager.default.removeItem(atPath: a)
        try FileManager.default.copyItem(atPath: Fixtures.other + "/participants/brand-a/paillier-share.json", toPath: a)
        #expect(failure { _ = try keys.participantIdentity("brand-a") }?.contains(a) == true)
    }

    @Test func aSigningKeyThatIsNotTheManifestsIsRefused() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        let path = dir + "/participants/brand-a/signing.key"
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: Fixtures.other + "/participants/brand-a/signing.key", toPath: path)
        let message = failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }
        #expect(message?.contains(path) == true && message?.contains("signingKey") == true, "\(message ?? "no error")")
    }

    @Test func badPEMAndInconsistentManifestsAreRefusedNamingTheFile() throws {
        let dir = try Fixtures.copy(Fixtures.main)
        let cert = dir + "/participants/brand-a/cert.pem"
        try "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n".write(toFile: cert, atomically: true, encoding: .utf8)
        #expect(failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-a") }?.contains(cert) == true)

        let manifestPath = dir + "/manifest.json"
        let original = try read(manifestPath)
        for (from, to) in [("\"threshold\" : 2,\n  \"thresholdKey\"", "\"threshold\" : 3,\n  \"thresholdKey\""),
                           ("\"shareIndex\" : 2", "\"shareIndex\" : 1"),
                           ("\"id\" : \"brand-c\"", "\"id\" : \"coordinator\""),
                           ("tessera/federation-manifest/v1", "tessera/federation-manifest/v2")] {
            #expect(original.contains(from), "fixture lacks \(from)")
            try original.replacingOccurrences(of: from, with: to).write(toFile: manifestPath, atomically: true, encoding: .utf8)
            let message = failure { _ = try FederationKeys.load(directory: dir) }
            #expect(message?.contains(manifestPath) == true, "\(to): \(message ?? "no error")")
        }
    }

    @Test func aCAIssuedCertificateForAnIdOutsideTheManifest() throws {
        let dir = Fixtures.main
        let mallory = try FederationKeys.issueCertificate(directory: dir, commonName: "mallory")
        let path = temporaryDirectory() + "/mallory.pem"
        try mallory.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try openssl(["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", dir + "/ca.pem", path]).status == 0)
        _ = try NIOSSLPrivateKey(bytes: Array(mallory.privateKeyPEM.utf8), format: .pem)
        let cert = try NIOSSLCertificate(bytes: Array(mallory.certificatePEM.utf8), format: .pem)
        #expect(try FederationKeys.commonName(ofDER: try cert.toDERBytes()) == "mallory")
        #expect(FederationKeys.fingerprint(ofDER: try cert.toDERBytes()) == mallory.fingerprint)
        let keys = try FederationKeys.load(directory: dir)
        #expect(keys.participant(withFingerprint: mallory.fingerprint) == nil)
        #expect(keys.verifyingKey(for: "mallory") == nil)
    }
}
