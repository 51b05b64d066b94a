import Foundation
import NIOSSL
import SwiftASN1
import Testing
import TesseraCrypto
import TesseraKeys
import X509

/// `tessera keys init`: a TEST federation in one place, through the enrollment code paths.
@Suite struct CeremonyTests {
    @Test func writesEveryFileSecretsOwnerOnly() throws {
        let dir = Fixtures.main
        let planned = KeyCeremony.plannedFiles(participants: Fixtures.participants)
        #expect(planned.count == 4 + 4 * 4 + 2)
        for file in planned {
            let path = dir + "/" + file.path
            #expect(FileManager.default.fileExists(atPath: path), "\(file.path) missing")
            let actual = try mode(path)
            #expect(actual == (file.secret ? 0o600 : 0o644), "\(file.path) has mode \(String(actual, radix: 8))")
        }
        let secrets = Set(planned.filter(\.secret).map(\.path))
        #expect(secrets == Set(["ca-key.pem", "coordinator/key.pem", "coordinator/signing.key", "coordinator/sealing.key",
                                "dealer/signing.key", "dealer/sealing.key"]
            + Fixtures.participants.flatMap { ["participants/\($0)/key.pem", "participants/\($0)/signing.key", "participants/\($0)/sealing.key"] }))
        for node in nodeDirectories(dir) + [("dealer", dir + "/dealer")] { #expect(try mode(node.path) == 0o700) }
        #expect(try mode(dir) == 0o700, "the federation directory holds ca-key.pem")
        // No unsealed Paillier share anywhere; the manifest and the dealing hold nothing secret.
        #expect(!files(under: dir).contains { $0.hasSuffix("paillier-share.json") })
        for name in ["manifest.json", "paillier-dealing.json"] {
            let text = try read(dir + "/" + name)
            #expect(!text.contains("\"secret\"") && !text.contains("\"seed\"") && !text.contains("PRIVATE"), "\(name)")
        }
        // The formats: SEC1 for TLS and the CA, PKCS#8 (RFC 8410) for Ed25519 and X25519.
        #expect(try read(dir + "/ca-key.pem").hasPrefix("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI"))
        #expect(try read(dir + "/participants/brand-a/key.pem").hasPrefix("-----BEGIN EC PRIVATE KEY-----\n"))
        #expect(try read(dir + "/participants/brand-a/signing.key").hasPrefix("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"))
        #expect(try read(dir + "/participants/brand-a/sealing.key").hasPrefix("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEI"))
    }

    @Test func opensslReadsEveryKeyAndVerifiesEachNodeCertificateAgainstItsCA() throws {
        let dir = Fixtures.main
        for node in nodeDirectories(dir) {
            let purpose = node.id == "coordinator" ? "sslserver" : "sslclient"
            let result = try openssl(["verify", "-x509_strict", "-purpose", purpose, "-CAfile", dir + "/ca.pem", node.path + "/cert.pem"])
            #expect(result.status == 0, "\(node.id): \(result.output)")
            // The TLS key is the certificate's (openssl computes both public keys).
            let fromKey = try openssl(["pkey", "-in", node.path + "/key.pem", "-pubout"])
            let fromCert = try openssl(["x509", "-in", node.path + "/cert.pem", "-noout", "-pubkey"])
            #expect(fromKey.status == 0 && fromKey.output == fromCert.output, "\(node.id): \(fromKey.output)")
            #expect(try openssl(["ec", "-in", node.path + "/key.pem", "-check", "-noout"]).status == 0)
        }
        #expect(try openssl(["verify", "-purpose", "sslclient", "-CAfile", dir + "/ca.pem", dir + "/coordinator/cert.pem"]).status == 0)
        #expect(try openssl(["verify", "-purpose", "sslserver", "-CAfile", dir + "/ca.pem", dir + "/participants/brand-a/cert.pem"]).status == 0)
    }

    @Test func opensslRefusesACertificateCheckedAgainstAnotherCeremonysCA() throws {
        for node in nodeDirectories(Fixtures.other) {
            let result = try openssl(["verify", "-CAfile", Fixtures.main + "/ca.pem", node.path + "/cert.pem"])
            #expect(result.status != 0, "\(node.id) verified against a foreign CA")
        }
    }

    @Test func niosslLoadsEveryCertificateAndKey() throws {
        let dir = Fixtures.main
        let manifest = try FederationKeys.load(directory: dir).manifest
        _ = try NIOSSLCertificate(bytes: Array(try read(dir + "/ca.pem").utf8), format: .pem)
        _ = try NIOSSLPrivateKey(bytes: Array(try read(dir + "/ca-key.pem").utf8), format: .pem)
        for node in nodeDirectories(dir) {
            let cert = try NIOSSLCertificate(bytes: Array(try read(node.path + "/cert.pem").utf8), format: .pem)
            _ = try NIOSSLPrivateKey(bytes: Array(try read(node.path + "/key.pem").utf8), format: .pem)
            #expect(FederationKeys.fingerprint(ofDER: try cert.toDERBytes()) == manifest.member(node.id)?.certFingerprint)
        }
    }

    @Test func theManifestDescribesTheFederation() throws {
        let dir = Fixtures.main
        let manifest = try FederationKeys.load(directory: dir).manifest
        func der(_ path: String) throws -> [UInt8] { try PEMDocument(pemString: try read(path)).derBytes }
        #expect(manifest.format == "tessera/federation-manifest/v2" && manifest.federation == "unit" && manifest.threshold == 2)
        #expect(FederationKeys.fingerprint(ofDER: try der(dir + "/ca.pem")) == manifest.caFingerprint)
        #expect(manifest.caCertificate == (try read(dir + "/ca.pem")))
        #expect(manifest.members.map(\.id) == ["brand-a", "brand-b", "brand-c", "coordinator", "dealer"])
        #expect(manifest.members.map(\.role) == [.participant, .participant, .participant, .coordinator, .dealer])
        #expect(manifest.holders == Fixtures.participants && manifest.committee == nil)
        #expect(manifest.dealer?.certFingerprint == nil)
        for node in nodeDirectories(dir) {
            #expect(FederationKeys.fingerprint(ofDER: try der(node.path + "/cert.pem")) == manifest.member(node.id)?.certFingerprint)
        }
        // SHA-256 of the DER, as openssl computes it.
        let openSSL = try openssl(["x509", "-in", dir + "/coordinator/cert.pem", "-noout", "-fingerprint", "-sha256"]).output
        let hex = openSSL.split(separator: "=").last!.replacingOccurrences(of: ":", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        #expect(hex == manifest.coordinator?.certFingerprint)
        #expect(manifest.signature != nil && manifest.warning?.contains("TEST") == true)
        // The dealing: 2 of 3 to the sorted holders, signed by the dealer, for this manifest's epoch.
        let dealing = try #require(try FederationKeys.load(directory: dir).dealing)
        #expect(dealing.threshold == 2 && dealing.shares.map(\.participant) == Fixtures.participants && dealing.shares.map(\.index) == [1, 2, 3])
        let epoch = try manifest.epoch.hex
        #expect(dealing.dealer == "dealer" && dealing.epoch == epoch && dealing.warning?.contains("TEST") == true)
    }

    @Test func certificatesCarryTheirNamesAndProfiles() throws {
        let dir = Fixtures.main
        func certificate(_ path: String) throws -> Certificate { try Certificate(pemEncoded: try read(path)) }
        func der(_ path: String) throws -> [UInt8] { try PEMDocument(pemString: try read(path)).derBytes }

        #expect(try FederationKeys.commonName(ofDER: try der(dir + "/ca.pem")) == "Tessera federation unit CA")
        let ca = try certificate(dir + "/ca.pem")
        let caBasic = try #require(ca.extensions[oid: .X509ExtensionID.basicConstraints])
        #expect(caBasic.critical)
        #expect(try BasicConstraints(caBasic) == .isCertificateAuthority(maxPathLength: 0))
        let caUsage = try #require(try ca.extensions.keyUsage)
        #expect(caUsage.keyCertSign && caUsage.cRLSign && !caUsage.digitalSignature)
        #expect(ca.issuer == ca.subject)

        for node in nodeDirectories(dir) {
            #expect(try FederationKeys.commonName(ofDER: try der(node.path + "/cert.pem")) == node.id)
            let cert = try certificate(node.path + "/cert.pem")
            #expect(cert.issuer == ca.subject)
            #expect(try cert.extensions.basicConstraints == .notCertificateAuthority)
            let usage = try #require(try cert.extensions.keyUsage)
            #expect(usage.digitalSignature && !usage.keyCertSign)
            let eku = try #require(try cert.extensions.extendedKeyUsage)
            #expect(eku.contains(.serverAuth) && eku.contains(.clientAuth))
            #expect(cert.serialNumber.bytes.count == 20 && cert.serialNumber.bytes.first! & 0x80 == 0)
            let san = Array(try #require(try cert.extensions.subjectAlternativeNames))
            if node.id == "coordinator" {
                #expect(san.contains(.dnsName("localhost")))
                let ips = san.compactMap { if case .ipAddress(let a) = $0 { return Array(a.bytes) } else { return nil } }
                #expect(ips.contains([127, 0, 0, 1]) && ips.contains([UInt8](repeating: 0, count: 15) + [1]))
            } else {
                #expect(san == [.dnsName(node.id)])
            }
        }
        #expect(throws: (any Error).self) { try FederationKeys.commonName(ofDER: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }

    @Test func rerunWithoutForceRefusesNamingTheFileAndForceReplaces() throws {
        let dir = try Fixtures.ceremony(seed: 11, participants: ["a", "b"], threshold: 2)
        let before = try read(dir + "/manifest.json")
        let options = KeyCeremony.Options(federation: "unit", participants: ["a", "b"], threshold: 2, bits: 512, seed: 12)
        #expect(throws: KeyCeremonyError.fileExists(path: dir + "/manifest.json")) { try KeyCeremony.run(options, directory: dir) }
        #expect(try read(dir + "/manifest.json") == before)
        // Any single file of a ceremony is protected, not just the manifest.
        try FileManager.default.removeItem(atPath: dir + "/manifest.json")
        let message = failure { try KeyCeremony.run(options, directory: dir) }
        #expect(message?.contains(dir + "/ca.pem") == true && message?.contains("--force") == true, "\(message ?? "no error")")

        // A secret that lost its mode (as after a git clone) is owner-only again after --force,
        // and an unsealed share left by a v1 ceremony is removed.
        chmod(dir + "/participants/a/key.pem", 0o644)
        try write("{}", to: dir + "/participants/a/paillier-share.json")
        var forced = options
        forced.force = true
        let output = try KeyCeremony.run(forced, directory: dir)
        let after = try FederationKeys.load(directory: dir)
        #expect(after.manifest.caFingerprint == output.manifest.caFingerprint)
        #expect(try read(dir + "/manifest.json") != before)
        _ = try after.participantIdentity("b")
        #expect(try mode(dir + "/participants/a/key.pem") == 0o600)
        #expect(!FileManager.default.fileExists(atPath: dir + "/participants/a/paillier-share.json"))
    }

    @Test(arguments: [
        (["Brand-a"], 1), (["-a"], 1), (["a_b"], 1), ([""], 1), (["coordinator"], 1), (["dealer"], 1),
        ([String(repeating: "a", count: 64)], 1), (["a/b"], 1), (["a", "a"], 2), ([], 1),
        (["a", "b", "c"], 0), (["a", "b", "c"], 4), (["a"], -1), (["a", "b", "c"], 1), (["a", "b", "c", "d"], 2),
    ])
    func badIDsAndThresholdsAreRefusedBeforeAnythingIsWritten(ids: [String], threshold: Int) throws {
        let dir = temporaryDirectory() + "/out"
        let options = KeyCeremony.Options(federation: "unit", participants: ids, threshold: threshold, bits: 512, seed: 1)
        #expect(throws: KeyCeremonyError.self) { try KeyCeremony.run(options, directory: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func errorMessagesNameTheProblem() {
        func message(_ ids: [String], _ t: Int, federation: String = "unit", committee: [String]? = nil) -> String {
            failure { try KeyCeremony.validate(.init(federation: federation, participants: ids, threshold: t, committee: committee, seed: 1)) } ?? ""
        }
        #expect(message(["Bad"], 1).contains("\"Bad\"") && message(["Bad"], 1).contains("^[a-z0-9][a-z0-9-]{0,62}$"))
        #expect(message(["coordinator"], 1).contains("reserved"))
        #expect(message(["a", "a"], 2).contains("more than once"))
        #expect(message(["a", "b"], 3).contains("threshold 3"))
        #expect(message(["a", "b", "c", "d"], 2).contains("n/2"), "\(message(["a", "b", "c", "d"], 2))")
        #expect(message(["a", "b", "c"], 2, committee: ["a", "x"]).contains("\"x\""))
        #expect(message(["a"], 1, federation: "has space").contains("federation name"))
        #expect(message(["a", "b", "63-chars-ok-" + String(repeating: "x", count: 51)], 2).isEmpty)
        // test-20's shape: a committee of five of twenty with t = 3 is fine; t = 5 of 20 is not.
        let twenty = (0..<20).map { "brand-\(Character(UnicodeScalar(UInt8(97 + $0))))" }
        #expect(message(twenty, 3, committee: Array(twenty.prefix(5))).isEmpty)
        #expect(message(twenty, 5).contains("threshold 5 of 20"))
    }

    /// With a seed, all key material (Paillier, Ed25519, X25519, P-256, serial numbers) is the
    /// same on every run. ECDSA signatures are not (swift-crypto draws its own nonces): the
    /// certificates' DER, the manifest's signature and epoch, and so the dealing's sealed
    /// shares' binding differ, and are compared by their keys instead.
    @Test func aSeedReproducesEveryKey() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let first = try Fixtures.ceremony(seed: 99, now: now)
        let second = try Fixtures.ceremony(seed: 99, now: now)
        let different = try Fixtures.ceremony(seed: 100, now: now)
        let secrets = KeyCeremony.plannedFiles(participants: Fixtures.participants).filter(\.secret).map(\.path)
        for path in secrets {
            #expect(try read(first + "/" + path) == read(second + "/" + path), "\(path) differs for the same seed")
            #expect(try read(first + "/" + path) != read(different + "/" + path), "\(path) equal for different seeds")
        }
        let k1 = try FederationKeys.load(directory: first), k2 = try FederationKeys.load(directory: second)
        #expect(k1.manifest.members.map(\.signingKey) == k2.manifest.members.map(\.signingKey))
        #expect(k1.manifest.members.map(\.sealingKey) == k2.manifest.members.map(\.sealingKey))
        #expect(try KeyFiles.encode(k1.dealing!.publicKey) == KeyFiles.encode(k2.dealing!.publicKey))
        for id in Fixtures.participants {
            #expect(try k1.participantIdentity(id).1?.secretForStorage == k2.participantIdentity(id).1?.secretForStorage)
        }
        for path in ["ca.pem"] + nodeDirectories("").map({ String($0.path.dropFirst()) + "/cert.pem" }) {
            let a = try Certificate(pemEncoded: try read(first + "/" + path))
            let b = try Certificate(pemEncoded: try read(second + "/" + path))
            #expect(a.publicKey == b.publicKey && a.serialNumber == b.serialNumber && a.subject == b.subject)
            #expect(a.notValidBefore == b.notValidBefore && a.notValidAfter == b.notValidAfter && a.extensions == b.extensions)
        }
    }

    @Test func aCommitteeHoldsTheKeyAndOthersHoldNoShare() throws {
        let ids = ["a", "b", "c", "d", "e"]
        let dir = try Fixtures.ceremony(seed: 5, participants: ids, threshold: 2, committee: ["c", "a", "e"])
        let keys = try FederationKeys.load(directory: dir)
        #expect(keys.manifest.committee == ["a", "c", "e"] && keys.manifest.holders == ["a", "c", "e"])
        #expect(keys.dealing?.shares.map(\.participant) == ["a", "c", "e"])
        #expect(try keys.participantIdentity("c").1?.index == 2)
        #expect(try keys.participantIdentity("b").1 == nil)
        let info = try keys.federationInfo
        #expect(info.holders == ["a", "c", "e"] && info.keyThreshold == 2 && info.thresholdKey?.shareCount == 3)
        #expect(info.participants["c"]?.shareIndex == 2 && info.participants["b"]?.shareIndex == 0)
        #expect(info.epoch == (try keys.manifest.epoch) && info.dealerKey == keys.manifest.dealer?.signingKey)
    }
}
