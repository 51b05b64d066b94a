import Crypto
import Foundation
import Testing
import TesseraCrypto
import TesseraKeys
import TesseraMath
import TesseraRandom
import X509

/// The enrollment flow: every secret originates at its owner, in its own directory.
@Suite struct EnrollmentTests {
    /// 3 participants, a coordinator and a dealer request in their own directories; a CA
    /// elsewhere signs; the dealer deals; every node installs. No secret file of one node (nor
    /// the CA key) appears in another's directory, the CA's, the signed output or the dealing.
    @Test func endToEndInSeparateDirectoriesKeepsEverySecretAtItsOwner() throws {
        let e = Fixtures.enrolled
        var secrets: [(owner: String, path: String)] = []
        for (id, dir) in e.nodes {
            let role: NodeRole = id == "coordinator" ? .coordinator : id == Enrolled.dealerID ? .dealer : .participant
            for name in KeyLayout.secretFiles(role: role) {
                let path = dir + "/" + name
                let actual = try mode(path)
                #expect(actual == 0o600, "\(path) has mode \(String(actual, radix: 8))")
                secrets.append((dir, path))
            }
            #expect(try mode(dir) == 0o700)
            // request.json and everything installed is public.
            for name in ["request.json", "manifest.json", "ca.pem"] + (role == .dealer ? [] : ["cert.pem"]) {
                #expect(try mode(dir + "/" + name) == 0o644, "\(dir)/\(name)")
            }
        }
        #expect(try mode(e.ca + "/ca-key.pem") == 0o600 && mode(e.ca) == 0o700)
        secrets.append((e.ca, e.ca + "/ca-key.pem"))
        #expect(secrets.count == 3 * 3 + 3 + 2 + 1)

        let everything = files(under: e.root)
        for (owner, path) in secrets {
            let text = try read(path)
            let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let der = [UInt8](Data(base64Encoded: body)!)
            let raw = Array(der.count == 48 ? der.suffix(32) : der[7..<39])  // PKCS#8 (RFC 8410) or SEC1: the 32 secret bytes
            let needles: [[UInt8]] = [Array(body.prefix(48).utf8), Array(body.utf8), raw, Array(raw.hex.utf8),
                                      Array(Data(raw).base64EncodedString().prefix(40).utf8)]
            for other in everything where !other.hasPrefix(owner + "/") {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: other)))
                let squeezed = bytes.filter { ![0x0a, 0x0d, 0x20].contains($0) }
                for needle in needles {
                    #expect(!contains(squeezed, needle) && !contains(bytes, needle), "a secret of \(path) appears in \(other)")
                }
            }
        }
        // Nothing private outside the owners' secret files.
        for path in everything where !secrets.contains(where: { $0.path == path }) {
            #expect(!(try read(path)).contains("PRIVATE KEY"), "\(path) holds a private key")
        }
        #expect(files(under: e.signed).allSatisfy { $0.hasSuffix(".pem") || $0.hasSuffix("manifest.json") })
        #expect(files(under: e.dealingDirectory) == [e.dealing])

        // Each node loads from its own directory: TLS, signing, sealing keys and its share.
        let coordinator = try FederationKeys.load(directory: e.node("coordinator"))
        #expect(coordinator.layout == .node)
        _ = try coordinator.coordinatorIdentity()
        let info = try coordinator.federationInfo
        #expect(info.name == "enrolled" && info.participantIDs == Fixtures.participants && info.keyThreshold == 2)
        var rng = SystemRandom()
        let key = try coordinator.thresholdKey
        let m = BigInt(4242)
        let c = try PaillierEncryptor(publicKey: key.paillier, windowBits: 4).encrypt(m, using: &rng)
        var partials: [PartialDecryption] = []
        for id in Fixtures.participants {
            let keys = try FederationKeys.load(directory: e.node(id))
            let (identity, share) = try keys.participantIdentity(id)
            #expect(identity.certificateFingerprint == keys.manifest.participant(id)?.certFingerprint)
            partials.append(try #require(share).partialDecrypt(c, using: &rng))
            // A node directory is one node's: asking it for another id is refused by name.
            let other = Fixtures.participants.first { $0 != id }!
            #expect(failure { _ = try keys.participantIdentity(other) }?.contains("belongs to \"\(id)\"") == true)
        }
        #expect(try key.combine(Array(partials.suffix(2)), of: c) == m)
        #expect(try FederationKeys.load(directory: e.node(Enrolled.dealerID)).dealerIdentity().id == Enrolled.dealerID)
        // The certificates chain to the CA for openssl too.
        for id in ["coordinator"] + Fixtures.participants {
            #expect(try openssl(["verify", "-CAfile", e.node(id) + "/ca.pem", e.node(id) + "/cert.pem"]).status == 0)
        }
    }

    @Test func aNodeRefusesToLoadASecretReadableByOthers() throws {
        let e = try Enrolled.make()
        for name in ["key.pem", "signing.key", "sealing.key"] {
            let path = e.node("brand-a") + "/" + name
            chmod(path, 0o644)
            let message = failure { _ = try FederationKeys.load(directory: e.node("brand-a")).participantIdentity("brand-a") }
            #expect(message == "\(path): mode 0644 lets others read or write this secret; run chmod 600 \(path)", "\(message ?? "no error")")
            // install reads the secrets too
            #expect(failure { try e.install("brand-a") }?.contains("\(path): mode 0644") == true)
            chmod(path, 0o600)
        }
        chmod(e.ca + "/ca-key.pem", 0o644)
        #expect(failure { try e.sign() }?.contains("\(e.ca)/ca-key.pem: mode 0644") == true)
    }

    @Test func requestsCarryOnlyPublicMaterialAndVerify() throws {
        let e = Fixtures.enrolled
        let request = try EnrollmentRequest.read(path: e.request("brand-a"))
        #expect(request.format == "tessera/enrollment-request/v1" && request.id == "brand-a" && request.role == .participant)
        let object = try jsonObject(e.request("brand-a"))
        #expect(Set(object.keys) == ["format", "federation", "id", "role", "csr", "tlsPublicKey", "signingKey", "sealingKey", "signature"])
        let verified = try request.verify(path: "r")
        #expect(verified.id == "brand-a")
        // openssl reads the CSR and checks its signature.
        let csr = temporaryDirectory() + "/csr.pem"
        try write(request.csr!, to: csr)
        let check = try openssl(["req", "-in", csr, "-noout", "-verify", "-subject"])
        #expect(check.status == 0 && check.output.contains("brand-a"), "\(check.output)")
        let dealer = try EnrollmentRequest.read(path: e.request(Enrolled.dealerID))
        #expect(dealer.csr == nil && dealer.tlsPublicKey == nil && dealer.role == .dealer)
        _ = try dealer.verify(path: "d")
    }

    @Test func aRequestWithABadSelfSignatureIsRefusedAndNothingIsSigned() throws {
        let e = try Enrolled.make(install: false)
        let path = e.request("brand-b")
        let original = try jsonObject(path)
        // A key swapped after signing (e.g. a sealing key replaced in transit).
        var object = original
        object["sealingKey"] = { var r = SystemRandom(); return SealingPrivateKey.generate(using: &r).publicKey.description }()
        try writeJSON(object, to: path)
        let out = temporaryDirectory() + "/signed"
        let message = failure { try e.sign(out: out) }
        #expect(message?.contains(path) == true && message?.contains("bad self-signature") == true, "\(message ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: out))
        // Signed by another node's key.
        let request = try EnrollmentRequest.read(path: e.request("brand-c"))
        let otherKey = try NodeKeyFiles.signingKey(path: e.node("brand-a") + "/signing.key")
        try write(String(decoding: try KeyFiles.encode(try request.signed(with: otherKey)), as: UTF8.self), to: path)
        #expect(failure { try e.sign(out: out) }?.contains("bad self-signature") == true)
        // Unsigned.
        object = original
        object.removeValue(forKey: "signature")
        try writeJSON(object, to: path)
        #expect(failure { try e.sign(out: out) }?.contains("must be signed") == true)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aCSRWhoseKeyDiffersFromTheRequestsIsRefused() throws {
        let e = try Enrolled.make(install: false)
        var request = try EnrollmentRequest.read(path: e.request("brand-a"))
        // brand-a's request, still properly self-signed, carrying a CSR made with another key.
        var rng = SystemRandom()
        let (stranger, _) = try EnrollmentRequest.generate(federation: "enrolled", id: "brand-a", role: .participant, using: &rng)
        request.csr = stranger.csr
        let signingKey = try NodeKeyFiles.signingKey(path: e.node("brand-a") + "/signing.key")
        try write(String(decoding: try KeyFiles.encode(try request.signed(with: signingKey)), as: UTF8.self), to: e.request("brand-a"))
        let out = temporaryDirectory() + "/signed"
        let message = failure { try e.sign(out: out) }
        #expect(message?.contains(e.request("brand-a")) == true && message?.contains("CSR's key differs from the request's tlsPublicKey") == true,
                "\(message ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A CSR for another id (brand-b's own CSR, with brand-b's key as tlsPublicKey too).
        let b = try EnrollmentRequest.read(path: e.request("brand-b"))
        request.csr = b.csr
        request.tlsPublicKey = b.tlsPublicKey
        try write(String(decoding: try KeyFiles.encode(try request.signed(with: signingKey)), as: UTF8.self), to: e.request("brand-a"))
        #expect(failure { try e.sign(out: out) }?.contains("common name") == true)
    }

    @Test func signingRefusesAFederationThatDoesNotHold() throws {
        let e = try Enrolled.make(install: false)
        let out = temporaryDirectory() + "/signed"
        // t ≤ n/2
        #expect(failure { try e.sign(threshold: 1, out: out) }?.contains("threshold 1 of 3 decryption holders is refused") == true)
        // a committee member that is not a participant
        #expect(failure { try e.sign(committee: ["brand-a", "coordinator"], out: out) }?.contains("\"coordinator\" is not a participant") == true)
        // a request of another federation
        var rng = SystemRandom()
        let (foreign, material) = try EnrollmentRequest.generate(federation: "elsewhere", id: "brand-x", role: .participant, using: &rng)
        let foreignDir = temporaryDirectory() + "/brand-x"
        try Enrollment.writeNode(material, request: foreign, directory: foreignDir)
        var withForeign = e
        withForeign.nodes["brand-x"] = foreignDir
        #expect(failure { try withForeign.sign(out: out) }?.contains("federation \"elsewhere\"") == true)
        // two coordinators
        let (second, secondMaterial) = try EnrollmentRequest.generate(federation: "enrolled", id: "coordinator", role: .coordinator,
                                                                      dnsNames: ["localhost"], using: &rng)
        let secondDir = temporaryDirectory() + "/coordinator2"
        try Enrollment.writeNode(secondMaterial, request: second, directory: secondDir)
        withForeign = e
        withForeign.nodes["coordinator2"] = secondDir
        #expect(failure { try withForeign.sign(out: out) }?.contains("also requested") == true)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(arguments: ManifestTampering.allCases)
    func anAlteredOrUnsignedManifestIsRefusedByName(_ tampering: ManifestTampering) throws {
        let e = Fixtures.enrolled
        let path = temporaryDirectory() + "/manifest.json"
        var object = try jsonObject(e.manifest)
        var expected: String
        switch tampering {
        case .member:
            var members = object["members"] as! [[String: Any]]
            members[1]["signingKey"] = { var r = SystemRandom(); return SigningKey.generate(using: &r).verifyingKey.description }()
            object["members"] = members
            expected = "bad manifest signature: the signature does not verify"
        case .addedMember:
            var members = object["members"] as! [[String: Any]]
            var mallory = members[0]
            mallory["id"] = "brand-m"
            members.insert(mallory, at: 3)
            object["members"] = members
            expected = "bad manifest signature"
        case .threshold:
            object["threshold"] = 3
            expected = "bad manifest signature"
        case .committee:
            object["committee"] = ["brand-a", "brand-b"]
            expected = "bad manifest signature"
        case .removedSignature:
            object.removeValue(forKey: "signature")
            expected = "the manifest is not signed"
        case .garbledSignature:
            object["signature"] = "AAAA"
            expected = "is not base64 of a DER ECDSA signature"
        case .otherCAKey:
            // Same body and caCertificate, signed by another CA's key.
            var manifest = try FederationManifest.load(path: e.manifest)
            manifest.signature = nil
            let other = try CertificateAuthority.load(directory: Fixtures.main)
            manifest.signature = Data(try other.sign(try manifest.canonicalBody())).base64EncodedString()
            object = try JSONSerialization.jsonObject(with: try KeyFiles.encode(manifest)) as! [String: Any]
            expected = "bad manifest signature"
        case .unknownField:
            object["extra"] = "x"
            expected = "unknown field \"extra\""
        }
        try writeJSON(object, to: path)
        let message = failure { _ = try FederationManifest.load(path: path) }
        #expect(message?.contains(path) == true && message?.contains(expected) == true, "\(tampering): \(message ?? "no error")")
        // install refuses it and writes nothing
        let node = try Fixtures.copy(e.node("brand-a"))
        let before = try snapshot(node)
        #expect(failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: path) }?.contains(expected) == true)
        #expect(try snapshot(node) == before)
        // a node loading it as its manifest.json refuses to start
        try FileManager.default.removeItem(atPath: node + "/manifest.json")
        try FileManager.default.copyItem(atPath: path, toPath: node + "/manifest.json")
        #expect(failure { _ = try FederationKeys.load(directory: node) }?.contains(expected) == true)
    }

    /// A manifest signed by another CA that also carries that CA's certificate verifies on its
    /// own; what refuses it is the CA the node is enrolled with.
    @Test func aManifestOfAnotherCAIsRefusedByTheEnrolledNode() throws {
        let e = Fixtures.enrolled
        var rng = SystemRandom()
        let other = try CertificateAuthority.create(federation: "enrolled", notBefore: Date(), notAfter: Date().addingTimeInterval(86400), using: &rng)
        var manifest = try FederationManifest.load(path: e.manifest)
        manifest.caCertificate = try other.certificatePEM
        manifest.caFingerprint = try other.fingerprint
        try manifest.sign(with: other)
        let path = temporaryDirectory() + "/manifest.json"
        try KeyFiles.encode(manifest).write(to: URL(fileURLWithPath: path))
        _ = try FederationManifest.load(path: path)
        let node = try Fixtures.copy(e.node("brand-a"))
        let before = try snapshot(node)
        let message = failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: path) }
        #expect(message?.contains("this node is enrolled with CA") == true, "\(message ?? "no error")")
        #expect(try snapshot(node) == before)
        // On a node not yet installed, the node's certificate does not chain to that CA.
        let fresh = try Fixtures.copy(e.node("brand-b"))
        for name in ["ca.pem", "manifest.json", "cert.pem", "paillier-dealing.json"] { try FileManager.default.removeItem(atPath: fresh + "/" + name) }
        let refusal = failure { try NodeInstall.install(keys: fresh, certificate: e.certificate("brand-b"), manifest: path) }
        #expect(refusal?.contains("not issued by the manifest's CA") == true, "\(refusal ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: fresh + "/manifest.json"))
        // A node that finds it beside its ca.pem refuses to start.
        try FileManager.default.removeItem(atPath: node + "/manifest.json")
        try FileManager.default.copyItem(atPath: path, toPath: node + "/manifest.json")
        #expect(failure { _ = try FederationKeys.load(directory: node) }?.contains("\(node)/ca.pem") == true)
    }

    @Test func installRefusesACertificateForAnotherNodesKey() throws {
        let e = try Enrolled.make(install: false)
        let node = e.node("brand-a")
        let before = try snapshot(node)
        let message = failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-b"), manifest: e.manifest) }
        #expect(message?.contains(e.certificate("brand-b")) == true && message?.contains("another node's certificate") == true,
                "\(message ?? "no error")")
        // A certificate from the same CA with brand-a's name but another key.
        let (forged, _) = try FederationKeys.issueCertificate(directory: e.ca, commonName: "brand-a")
        let forgedPath = temporaryDirectory() + "/cert.pem"
        try write(forged.certificatePEM, to: forgedPath)
        #expect(failure { try NodeInstall.install(keys: node, certificate: forgedPath, manifest: e.manifest) }?.contains("another key") == true)
        // The coordinator's certificate, and none at all.
        #expect(failure { try NodeInstall.install(keys: node, certificate: e.certificate("coordinator"), manifest: e.manifest) } != nil)
        #expect(failure { try NodeInstall.install(keys: node, certificate: nil, manifest: e.manifest) }?.contains("--certificate") == true)
        // A manifest that does not list this node.
        let partial = temporaryDirectory()
        try e.sign(ids: ["brand-b", "brand-c", "coordinator"], out: partial)
        #expect(failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: partial + "/manifest.json") }?
            .contains("does not list this node (brand-a)") == true)
        #expect(try snapshot(node) == before)
        try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: e.manifest)
        #expect(FileManager.default.fileExists(atPath: node + "/cert.pem"))
    }

    @Test func aSealedShareAddressedToAnotherNodeIsRefused() throws {
        let e = try Enrolled.make(install: false)
        let dealer = try OwnNodeKeys.load(directory: e.node(Enrolled.dealerID))
        let original = try PaillierDealing.read(path: e.dealing)
        let path = temporaryDirectory() + "/paillier-dealing.json"
        func save(_ d: PaillierDealing) throws { try KeyFiles.encode(try d.signed(with: dealer.signingKey)).write(to: URL(fileURLWithPath: path)) }

        // The dealer put brand-b's box in brand-a's entry (both still signed by the dealer).
        var swapped = original
        swapped.shares[0].sealed = original.shares[1].sealed
        swapped.shares[1].sealed = original.shares[0].sealed
        try save(swapped)
        let node = e.node("brand-a")
        let before = try snapshot(node)
        let message = failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: e.manifest, dealing: path) }
        #expect(message?.contains("the share sealed for brand-a does not open with brand-a's sealing key") == true, "\(message ?? "no error")")
        #expect(try snapshot(node) == before)

        // brand-b's share, sealed to brand-a's key: it opens, but it is holder 2's share.
        let manifest = try FederationManifest.load(path: e.manifest)
        let key = try original.verify(against: manifest, path: e.dealing)
        let bSealing = try NodeKeyFiles.sealingKey(path: e.node("brand-b") + "/sealing.key")
        let bShare = try #require(try original.openShare(for: "brand-b", with: bSealing, key: key, path: e.dealing))
        var rng = SystemRandom()
        let plaintext = [UInt8](try KeyFiles.encode(KeyShareFile(bShare, keyID: key.id)))
        var misaddressed = original
        misaddressed.shares[0].sealed = Data(SealedBox.sealAnonymously(plaintext, to: manifest.participant("brand-a")!.sealingKey, using: &rng)).base64EncodedString()
        try save(misaddressed)
        let refusal = failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: e.manifest, dealing: path) }
        #expect(refusal?.contains("is share 2, but brand-a is holder 1") == true, "\(refusal ?? "no error")")
        #expect(try snapshot(node) == before)

        // Altered after signing.
        var altered = try jsonObject(e.dealing)
        var shares = altered["shares"] as! [[String: Any]]
        shares[0]["sealed"] = original.shares[2].sealed
        altered["shares"] = shares
        try writeJSON(altered, to: path)
        #expect(failure { try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: e.manifest, dealing: path) }?
            .contains("dealer's signature does not verify") == true)
        // Dealt for another manifest (epoch).
        let resigned = temporaryDirectory()
        try e.sign(out: resigned)
        #expect(failure { try NodeInstall.install(keys: node, certificate: resigned + "/brand-a/cert.pem", manifest: resigned + "/manifest.json",
                                                  dealing: e.dealing) }?.contains("epoch") == true)
        #expect(try snapshot(node) == before)
        // The real one installs, and the share opened is holder 1's.
        let result = try NodeInstall.install(keys: node, certificate: e.certificate("brand-a"), manifest: e.manifest, dealing: e.dealing)
        #expect(result.shareIndex == 1)
    }

    /// `keys deal` writes the dealing alone: no unsealed share, no factor of n, nothing secret.
    @Test func theDealingHoldsNoSecret() throws {
        let e = Fixtures.enrolled
        let manifest = try FederationManifest.load(path: e.manifest)
        let dealer = try OwnNodeKeys.load(directory: e.node(Enrolled.dealerID))
        var rng = SystemRandom()
        let key = try PaillierKeyGeneration.generate(bits: 512, using: &rng)
        var sealRNG = SystemRandom()
        let dealing = try PaillierDealer.deal(manifest: manifest, dealerID: dealer.id, signingKey: dealer.signingKey, threshold: 2,
                                              key: key, keyRandom: &rng, sealRandom: &sealRNG)
        let out = temporaryDirectory() + "/deal"
        try Enrollment.writeDealing(dealing, directory: out)
        #expect(files(under: out) == [out + "/paillier-dealing.json"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/paillier-dealing.json"))
        let text = String(decoding: bytes, as: UTF8.self)
        let (p, q) = key.primes
        // The shares, as the holders open them.
        var shareSecrets: [BigInt] = []
        let publicKey = try dealing.verify(against: manifest, path: "d")
        for id in Fixtures.participants {
            let sealing = try NodeKeyFiles.sealingKey(path: e.node(id) + "/sealing.key")
            shareSecrets.append(try #require(try dealing.openShare(for: id, with: sealing, key: publicKey, path: "d")).secretForStorage)
        }
        #expect(publicKey.paillier.n == p * q)
        for secret in [p, q] + shareSecrets {
            for form in [secret.hex, secret.hex.uppercased(), secret.decimal] {
                #expect(!text.contains(form), "a secret value appears in the dealing")
            }
            let raw = secret.bigEndianBytes()
            #expect(!contains([UInt8](bytes), raw) && !text.contains(Data(raw).base64EncodedString().prefix(40)))
        }
        for word in ["secret", "PRIVATE", "\"p\"", "\"q\""] { #expect(!text.contains(word), "\(word) in the dealing") }
    }

    @Test func theThresholdRuleAndTheToleratedCorruptHolders() throws {
        for (t, n) in [(1, 2), (1, 3), (2, 4), (3, 6), (5, 20), (0, 3), (4, 3)] {
            #expect(throws: KeyCeremonyError.invalidThreshold(threshold: t, holders: n)) { try ThresholdRule.check(threshold: t, holders: n) }
        }
        for (t, n, f) in [(1, 1, 0), (2, 3, 0), (3, 3, 2), (3, 4, 1), (3, 5, 0), (4, 5, 2), (5, 7, 2), (3, 5, 0)] {
            try ThresholdRule.check(threshold: t, holders: n)
            #expect(ThresholdRule.toleratedCorrupt(threshold: t, holders: n) == f, "t = \(t), n = \(n)")
            #expect(2 * t > n + f && !(2 * t > n + f + 1), "f is the largest with t > (n + f)/2")
            #expect(ThresholdRule.summary(threshold: t, holders: n).contains("tolerates f = \(f)"))
        }
        #expect((1...30).map { ThresholdRule.defaultThreshold(holders: $0) }.enumerated().allSatisfy { i, t in 2 * t > i + 1 && 2 * (t - 1) <= i + 1 })
        let message = KeyCeremonyError.invalidThreshold(threshold: 2, holders: 4).description
        #expect(message.contains("n/2") && message.contains("intersect") && message.contains("3 ≤ threshold ≤ 4"), "\(message)")
        // The manifest's default threshold is the least t > n/2 of the holders; a committee
        // makes the holders a subset.
        let five = try Enrolled.make(participants: ["p1", "p2", "p3", "p4", "p5"], committee: ["p2", "p3", "p4"], threshold: nil,
                                     paillierThreshold: 2, install: false)
        let manifest = try FederationManifest.load(path: five.manifest)
        #expect(manifest.holders == ["p2", "p3", "p4"] && manifest.threshold == 2)
        #expect(try PaillierDealing.read(path: five.dealing).shares.map(\.participant) == ["p2", "p3", "p4"])
        #expect(failure { try five.deal(threshold: 1, out: temporaryDirectory()) }?.contains("threshold 1 of 3") == true)
    }

    @Test func aManifestWithoutCoordinatorInstallsButNodesRefuseToRun() throws {
        let e = try Enrolled.make(install: false)
        let out = temporaryDirectory()
        try e.sign(ids: Fixtures.participants, out: out)
        let node = e.node("brand-a")
        try NodeInstall.install(keys: node, certificate: out + "/brand-a/cert.pem", manifest: out + "/manifest.json")
        let keys = try FederationKeys.load(directory: node)
        _ = try keys.participantIdentity("brand-a")
        let message = failure { _ = try keys.federationInfo }
        #expect(message?.contains("lists no coordinator") == true, "\(message ?? "no error")")
    }

    @Test func requestRefusesToOverwriteANodesKeys() throws {
        let e = Fixtures.enrolled
        var rng = SystemRandom()
        let (request, material) = try EnrollmentRequest.generate(federation: "enrolled", id: "brand-a", role: .participant, using: &rng)
        let dir = try Fixtures.copy(e.node("brand-a"))
        let before = try snapshot(dir)
        #expect(throws: KeyCeremonyError.nodeKeysExist(path: dir + "/key.pem")) { try Enrollment.writeNode(material, request: request, directory: dir) }
        #expect(try snapshot(dir) == before)
        #expect(throws: KeyCeremonyError.self) {
            try EnrollmentRequest.generate(federation: "enrolled", id: "coordinator", role: .participant, using: &rng)
        }
        #expect(throws: KeyCeremonyError.self) {
            try EnrollmentRequest.generate(federation: "enrolled", id: "brand-a", role: .participant, dnsNames: ["evil.example"], using: &rng)
        }
    }

    /// What is signed is RFC 8785 of the file without "signature", as another implementation
    /// would compute it from the file.
    @Test func theSignedBytesAreTheJCSOfTheFileWithoutSignature() throws {
        let e = Fixtures.enrolled
        for path in [e.manifest, e.dealing, e.request("brand-a"), e.request(Enrolled.dealerID), e.request("coordinator")] {
            var object = try jsonObject(path)
            object.removeValue(forKey: "signature")
            let ours: [UInt8]
            if path == e.manifest { ours = try FederationManifest.load(path: path).canonicalBody() }
            else if path == e.dealing { ours = try PaillierDealing.read(path: path).canonicalBody() }
            else { ours = try EnrollmentRequest.read(path: path).canonicalBody() }
            #expect(String(decoding: ours, as: UTF8.self) == jcs(object), "\(path)")
        }
    }

    @Test func theEpochIsTheHashOfTheSignedManifest() throws {
        let manifest = try FederationManifest.load(path: Fixtures.enrolled.manifest)
        let expected = Array(Blake2b.hash(Array("tessera/epoch/v1".utf8) + (try CanonicalJSON.encode(manifest)), outputLength: 32).prefix(16))
        #expect(try manifest.epoch == expected)
        // The canonical body: sorted keys, no whitespace, no "signature", slashes unescaped.
        let body = String(decoding: try manifest.canonicalBody(), as: UTF8.self)
        #expect(body.hasPrefix("{\"caCertificate\":\"-----BEGIN CERTIFICATE-----\\n") && !body.contains("\"signature\"") && !body.contains(" \""))
        #expect(!body.contains("\\/"))
    }
}

/// An independent RFC 8785 serializer for the JSON we sign (strings, integers, arrays,
/// objects): keys sorted by UTF-16 code units, minimal escapes, no whitespace.
func jcs(_ value: Any) -> String {
    func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
    switch value {
    case let d as [String: Any]:
        return "{" + d.keys.sorted { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) }
            .map { string($0) + ":" + jcs(d[$0]!) }.joined(separator: ",") + "}"
    case let a as [Any]: return "[" + a.map(jcs).joined(separator: ",") + "]"
    case let s as String: return string(s)
    case let n as NSNumber: return n.stringValue
    default: return "?"
    }
}

enum ManifestTampering: CaseIterable, Sendable {
    case member, addedMember, threshold, committee, removedSignature, garbledSignature, otherCAKey, unknownField
}


func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    let first = needle[0]
    var i = 0
    while i <= haystack.count - needle.count {
        if haystack[i] == first && Array(haystack[i..<i + needle.count]) == needle { return true }
        i += 1
    }
    return false
}
