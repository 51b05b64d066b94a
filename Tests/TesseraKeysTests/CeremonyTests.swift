import Foundation
import NIOSSL
import SwiftASN1
import Testing
import TesseraCrypto
import TesseraKeys
import X509

@Suite struct CeremonyTests {
    @Test func writesEveryFileSecretsOwnerOnly() throws {
        let dir = Fixtures.main
        let planned = KeyCeremony.plannedFiles(participants: Fixtures.participants)
        #expect(planned.count == 3 + 3 + 4 * 3)
        for file in planned {
            let path = dir + "/" + file.path
            #expect(FileManager.default.fileExists(atPath: path), "\(file.path) missing")
            if file.secret {
                #expect(try mode(path) == 0o600, "\(file.path) should be 0600")
            } else {
                #expect(try mode(path) == 0o644, "\(file.path) should be public (0644)")
            }
        }
        let secrets = Set(planned.filter(\.secret).map(\.path))
        #expect(secrets == Set(["ca-key.pem", "coordinator/key.pem", "coordinator/signing.key"]
            + Fixtures.participants.flatMap { ["participants/\($0)/key.pem", "participants/\($0)/signing.key",
                                               "participants/\($0)/paillier-share.json"] }))
        for node in nodeDirectories(dir) { #expect(try mode(node.path) == 0o700) }
        // The manifest is public: no share secret, signing seed or private key in it.
        let manifest = try read(dir + "/manifest.json")
        #expect(!manifest.contains("\"secret\"") && !manifest.contains("\"seed\"") && !manifest.contains("PRIVATE"))
        for id in Fixtures.participants {
            for (file, field) in [("paillier-share.json", "secret"), ("signing.key", "seed")] {
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/participants/\(id)/" + file)))
                let value = try #require((json as? [String: Any])?[field] as? String)
                #expect(value.count >= 64 && !manifest.contains(value), "\(id)'s \(field) leaked into the manifest")
            }
        }
    }

    @Test func opensslVerifiesEachNodeCertificateAgainstItsCA() throws {
        let dir = Fixtures.main
        for node in nodeDirectories(dir) {
            let purpose = node.id == "coordinator" ? "sslserver" : "sslclient"
            let result = try openssl(["verify", "-x509_strict", "-purpose", purpose, "-CAfile", dir + "/ca.pem", node.path + "/cert.pem"])
            #expect(result.status == 0, "\(node.id): \(result.output)")
        }
        // Participants can also serve and the coordinator can also be a client (EKU both ways).
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
            let keyPEM = try read(node.path + "/key.pem")
            #expect(keyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 expected")
            _ = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
            // NIOSSL sees the same DER the manifest pins (what the coordinator checks after a handshake).
            let expected = node.id == "coordinator" ? manifest.coordinator.certFingerprint
                : manifest.participant(node.id)!.certFingerprint
            #expect(FederationKeys.fingerprint(ofDER: try cert.toDERBytes()) == expected)
        }
    }

    @Test func manifestFingerprintsMatchTheCertificateFiles() throws {
        let dir = Fixtures.main
        let manifest = try FederationKeys.load(directory: dir).manifest
        func der(_ path: String) throws -> [UInt8] { try PEMDocument(pemString: try read(path)).derBytes }
        #expect(FederationKeys.fingerprint(ofDER: try der(dir + "/ca.pem")) == manifest.caFingerprint)
        #expect(FederationKeys.fingerprint(ofDER: try der(dir + "/coordinator/cert.pem")) == manifest.coordinator.certFingerprint)
        #expect(manifest.participants.map(\.id) == Fixtures.participants)
        #expect(manifest.participants.map(\.shareIndex) == [1, 2, 3])
        for p in manifest.participants {
            #expect(FederationKeys.fingerprint(ofDER: try der(dir + "/participants/\(p.id)/cert.pem")) == p.certFingerprint)
        }
        // SHA-256 of the DER, as openssl computes it.
        let openSSL = try openssl(["x509", "-in", dir + "/coordinator/cert.pem", "-noout", "-fingerprint", "-sha256"]).output
        let hex = openSSL.split(separator: "=").last!.replacingOccurrences(of: ":", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        #expect(hex == manifest.coordinator.certFingerprint)
        #expect(manifest.format == "tessera/federation-manifest/v1" && manifest.federation == "unit" && manifest.threshold == 2)
        #expect(manifest.coordinator.id == "coordinator")
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
        let dir = try Fixtures.ceremony(seed: nil, participants: ["a", "b"], threshold: 1)
        let before = try read(dir + "/manifest.json")
        let options = KeyCeremony.Options(federation: "unit", participants: ["a", "b"], threshold: 1, bits: 512)
        #expect(throws: KeyCeremonyError.fileExists(path: dir + "/manifest.json")) { try KeyCeremony.run(options, directory: dir) }
        #expect(try read(dir + "/manifest.json") == before)
        // Any single file of a ceremony is protected, not just the manifest.
        try FileManager.default.removeItem(atPath: dir + "/manifest.json")
        let message = failure { try KeyCeremony.run(options, directory: dir) }
        #expect(message?.contains(dir + "/ca.pem") == true && message?.contains("--force") == true, "\(message ?? "no error")")

        // A secret that lost its mode (as after a git clone) is owner-only again after --force.
        chmod(dir + "/participants/a/key.pem", 0o644)
        var forced = options
        forced.force = true
        let output = try KeyCeremony.run(forced, directory: dir)
        let after = try FederationKeys.load(directory: dir)
        #expect(after.manifest.caFingerprint == output.manifest.caFingerprint)
        #expect(try read(dir + "/manifest.json") != before)
        _ = try after.participantIdentity("b")
        #expect(try mode(dir + "/participants/a/key.pem") == 0o600)
    }

    @Test(arguments: [
        (["Brand-a"], 1), (["-a"], 1), (["a_b"], 1), ([""], 1), (["coordinator"], 1),
        ([String(repeating: "a", count: 64)], 1), (["a/b"], 1), (["a", "a"], 1), ([], 1),
        (["a", "b", "c"], 0), (["a", "b", "c"], 4), (["a"], -1),
    ])
    func badIDsAndThresholdsAreRefusedBeforeAnythingIsWritten(ids: [String], threshold: Int) throws {
        let dir = temporaryDirectory() + "/out"
        let options = KeyCeremony.Options(federation: "unit", participants: ids, threshold: threshold, bits: 512)
        #expect(throws: KeyCeremonyError.self) { try KeyCeremony.run(options, directory: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func errorMessagesNameTheProblem() {
        func message(_ ids: [String], _ t: Int, federation: String = "unit") -> String {
            failure { try KeyCeremony.validate(.init(federation: federation, participants: ids, threshold: t)) } ?? ""
        }
        #expect(message(["Bad"], 1).contains("\"Bad\"") && message(["Bad"], 1).contains("^[a-z0-9][a-z0-9-]{0,62}$"))
        #expect(message(["coordinator"], 1).contains("reserved"))
        #expect(message(["a", "a"], 1).contains("more than once"))
        #expect(message(["a", "b"], 3).contains("threshold 3"))
        #expect(message(["a"], 1, federation: "has space").contains("federation name"))
        #expect(message(["a", "b", "63-chars-ok-" + String(repeating: "x", count: 51)], 2).isEmpty)
    }

    /// With a seed, all key material (Paillier, Ed25519, P-256, serial numbers) is the same on
    /// every run. The certificates' ECDSA signatures are not: swift-crypto (BoringSSL) draws
    /// its own signing nonces, so certificate DER and fingerprints may differ between runs and
    /// are compared field by field instead.
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
        let m1 = try FederationKeys.load(directory: first).manifest
        let m2 = try FederationKeys.load(directory: second).manifest
        #expect(m1.participants.map(\.signingKey) == m2.participants.map(\.signingKey))
        #expect(m1.coordinator.signingKey == m2.coordinator.signingKey)
        #expect(m1.participants.map(\.shareIndex) == m2.participants.map(\.shareIndex))
        #expect(try KeyFiles.encode(m1.thresholdKey) == KeyFiles.encode(m2.thresholdKey))
        #expect(m1.warning?.contains("TEST") == true)
        for path in ["ca.pem"] + nodeDirectories("").map({ String($0.path.dropFirst()) + "/cert.pem" }) {
            let a = try Certificate(pemEncoded: try read(first + "/" + path))
            let b = try Certificate(pemEncoded: try read(second + "/" + path))
            #expect(a.publicKey == b.publicKey && a.serialNumber == b.serialNumber && a.subject == b.subject)
            #expect(a.notValidBefore == b.notValidBefore && a.notValidAfter == b.notValidAfter && a.extensions == b.extensions)
        }
    }
}
