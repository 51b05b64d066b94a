import Crypto
import Foundation
import SwiftASN1
import TesseraCrypto
import TesseraRandom
import X509

/// `manifest.json` (`tessera/federation-manifest/v2`, protocol/README.md §7): the public
/// facts of a federation, signed by the federation CA. Fingerprints are SHA-256 of a
/// certificate's DER, lowercase hex; signing keys are Ed25519 and sealing keys X25519 public
/// keys, hex. The manifest identifies a TLS peer by its certificate's fingerprint, never by a
/// name inside a message.
///
/// `signature` is base64 of a DER ECDSA-P256-SHA256 signature by the CA key (the one in
/// `caCertificate`) over the canonical body: the manifest without "signature" as
/// `CanonicalJSON`. Every node verifies it on load and refuses an unsigned or altered manifest.
public struct FederationManifest: Codable, Sendable {
    public static let format = "tessera/federation-manifest/v2"
    public static let coordinatorID = "coordinator"

    public struct Member: Codable, Sendable, Hashable {
        public var id: String
        public var role: NodeRole
        /// SHA-256 of the node's certificate (DER); absent for the dealer, which has none.
        public var certFingerprint: String?
        public var signingKey: VerifyingKey
        public var sealingKey: SealingPublicKey
        /// A principal's organisation: "platform", a participant's id (a steward's brand, or a
        /// brand's analyst), or another name (an audit firm). Absent for nodes.
        public var organisation: String?

        public init(id: String, role: NodeRole, certFingerprint: String?, signingKey: VerifyingKey, sealingKey: SealingPublicKey,
                    organisation: String? = nil) {
            self.id = id
            self.role = role
            self.certFingerprint = certFingerprint
            self.signingKey = signingKey
            self.sealingKey = sealingKey
            self.organisation = organisation
        }
    }

    public var format: String
    public var federation: String
    /// Set for TEST federations, whose keys are reproducible from a public seed.
    public var warning: String?
    /// The CA certificate, PEM: verifies `signature` and every node certificate.
    public var caCertificate: String
    /// SHA-256 of the CA certificate's DER: pins the federation CA.
    public var caFingerprint: String
    /// t of the federation's decryption key among the holders (`ThresholdRule`: t > n/2).
    public var threshold: Int
    /// The decryption committee: participant ids holding the federation's key; absent = all.
    public var committee: [String]?
    /// Sorted by id.
    public var members: [Member]
    public var signature: String?

    public init(federation: String, warning: String? = nil, caCertificate: String, caFingerprint: String, threshold: Int,
                committee: [String]? = nil, members: [Member], signature: String? = nil) {
        format = Self.format
        self.federation = federation
        self.warning = warning
        self.caCertificate = caCertificate
        self.caFingerprint = caFingerprint
        self.threshold = threshold
        self.committee = committee
        self.members = members.sorted { $0.id < $1.id }
        self.signature = signature
    }

    static let fields: Set<String> = ["format", "federation", "warning", "caCertificate", "caFingerprint", "threshold",
                                      "committee", "members", "signature"]
    static let memberFields: Set<String> = ["id", "role", "certFingerprint", "signingKey", "sealingKey", "organisation"]

    // MARK: Accessors

    public var coordinator: Member? { members.first { $0.role == .coordinator } }
    public var participants: [Member] { members.filter { $0.role == .participant } }
    public var dealer: Member? { members.first { $0.role == .dealer } }
    /// The job API's users (operator, analysts, stewards, auditors).
    public var principals: [Member] { members.filter { $0.role.isPrincipal } }
    /// The decryption holders, sorted: the committee, or every participant.
    public var holders: [String] { (committee ?? participants.map(\.id)).sorted() }
    public func member(_ id: String) -> Member? { members.first { $0.id == id } }
    public func participant(_ id: String) -> Member? { participants.first { $0.id == id } }

    // MARK: Signature

    /// The signed bytes: this manifest without "signature", canonical JSON.
    public func canonicalBody() throws -> [UInt8] {
        var body = self
        body.signature = nil
        return try CanonicalJSON.encode(body)
    }

    /// Signs with the CA's key (which must be the one in `caCertificate`).
    public mutating func sign(with ca: CertificateAuthority) throws {
        signature = Data(try ca.sign(try canonicalBody())).base64EncodedString()
    }

    /// The federation's epoch: the first 16 bytes of BLAKE2b-256("tessera/epoch/v1" ‖ the
    /// canonical manifest including its signature, with the principals left out). Dealings
    /// and keys name it. Principals do not take part in the key generation, so enrolling or
    /// removing an analyst does not start a new epoch (nor a new DKG).
    public var epoch: [UInt8] {
        get throws {
            var nodes = self
            nodes.members.removeAll { $0.role.isPrincipal }
            return Array(Blake2b.hash(Array("tessera/epoch/v1".utf8) + (try CanonicalJSON.encode(nodes)), outputLength: 32).prefix(16))
        }
    }

    /// The CA certificate, parsed; errors name `path`.
    public func caCertificateParsed(path: String) throws -> (Certificate, [UInt8]) {
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: caCertificate) } catch {
            throw FederationKeysError.invalidManifest(path: path, reason: "caCertificate is not PEM (\(error))")
        }
        guard documents.count == 1, documents[0].discriminator == "CERTIFICATE" else {
            throw FederationKeysError.invalidManifest(path: path, reason: "caCertificate must be one CERTIFICATE block")
        }
        do { return (try Certificate(derEncoded: documents[0].derBytes), documents[0].derBytes) } catch {
            throw FederationKeysError.invalidManifest(path: path, reason: "caCertificate: \(error)")
        }
    }

    /// Checks the CA signature (present, made by the key of `caCertificate`), that
    /// `caFingerprint` is that certificate's, and the contents (`validate`). `path` names
    /// the file in errors.
    public func verify(path: String) throws {
        guard format == Self.format else {
            throw FederationKeysError.invalidManifest(path: path, reason: "format is \(format.debugDescription), expected \(Self.format.debugDescription)")
        }
        guard let signature else { throw FederationKeysError.unsignedManifest(path: path) }
        let (ca, der) = try caCertificateParsed(path: path)
        let actual = FederationKeys.fingerprint(ofDER: der)
        guard actual == caFingerprint else {
            throw FederationKeysError.invalidManifest(path: path, reason:
                "caFingerprint \(caFingerprint) is not the fingerprint of caCertificate (\(actual))")
        }
        guard case .isCertificateAuthority = try? ca.extensions.basicConstraints, ca.issuer == ca.subject,
              ca.publicKey.isValidSignature(ca.signature, for: ca) else {
            throw FederationKeysError.invalidManifest(path: path, reason: "caCertificate is not a self-signed CA certificate")
        }
        let organization = ca.subject.flatMap { $0 }.first { $0.type == .RDNAttributeType.organizationName }.flatMap { String($0.value) }
        guard organization == "Tessera federation \(federation)" else {
            throw FederationKeysError.invalidManifest(path: path, reason:
                "caCertificate is the CA of \((organization ?? "no federation").debugDescription), not of federation \(federation.debugDescription)")
        }
        guard let caKey = P256.Signing.PublicKey(ca.publicKey) else {
            throw FederationKeysError.invalidManifest(path: path, reason: "caCertificate's key is not P-256")
        }
        guard let der = Data(base64Encoded: signature),
              let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: der) else {
            throw FederationKeysError.badManifestSignature(path: path, reason: "\"signature\" is not base64 of a DER ECDSA signature")
        }
        guard caKey.isValidSignature(ecdsa, for: try canonicalBody()) else {
            throw FederationKeysError.badManifestSignature(path: path, reason:
                "the signature does not verify with the key of caCertificate (\(caFingerprint))")
        }
        try validate(path: path)
    }

    /// Loads and verifies a manifest file (`verify`); unknown fields are refused.
    public static func load(path: String) throws -> FederationManifest {
        guard FileManager.default.fileExists(atPath: path) else { throw FederationKeysError.missingFile(path: path) }
        let manifest: FederationManifest
        do {
            let data = try FileBytes.read(path)
            manifest = try KeyFiles.decode(FederationManifest.self, from: data, path: path, format: format)
            try JSONFields.check(data, allowed: fields, nested: ["members": memberFields], path: path)
        } catch let error as KeyFileError {
            throw FederationKeysError.invalidManifest(path: path, reason: "\(error)")
        } catch let error as FederationKeysError {
            throw error
        } catch {
            throw FederationKeysError.unreadable(path: path, reason: "\(error)")
        }
        try manifest.verify(path: path)
        return manifest
    }

    /// Checks internal consistency; `path` names the file in errors.
    public func validate(path: String) throws {
        func fail(_ reason: String) -> FederationKeysError { .invalidManifest(path: path, reason: reason) }
        guard format == Self.format else { throw fail("format is \(format.debugDescription), expected \(Self.format.debugDescription)") }
        do { try Self.checkFederationName(federation) } catch { throw fail("\(error)") }
        guard members.map(\.id) == members.map(\.id).sorted() else { throw fail("members must be sorted by id") }
        var ids = Set<String>()
        for m in members {
            do { try Self.checkNodeID(m.id, role: m.role) } catch { throw fail("members: \(error)") }
            guard ids.insert(m.id).inserted else { throw fail("members: id \(m.id.debugDescription) appears more than once") }
            if m.role.hasCertificate {
                guard let f = m.certFingerprint, Self.isFingerprint(f) else {
                    throw fail("member \(m.id): certFingerprint must be 64 lowercase hex digits")
                }
            } else if m.certFingerprint != nil {
                throw fail("member \(m.id): a dealer has no certificate, so no certFingerprint")
            }
            if m.role.isPrincipal {
                guard let organisation = m.organisation else { throw fail("member \(m.id): a \(m.role.rawValue) names its organisation") }
                do { try Self.checkParticipantID(organisation) } catch { throw fail("member \(m.id): organisation: \(error)") }
            } else if m.organisation != nil {
                throw fail("member \(m.id): only principals name an organisation, not a \(m.role.rawValue)")
            }
        }
        let participantIDs = Set(participants.map(\.id))
        for m in members where m.role == .steward && !participantIDs.contains(m.organisation ?? "") {
            throw fail("member \(m.id): a steward's organisation must be a participant of the federation, not \((m.organisation ?? "").debugDescription)")
        }
        guard members.filter({ $0.role == .coordinator }).count <= 1 else { throw fail("more than one coordinator") }
        guard members.filter({ $0.role == .dealer }).count <= 1 else { throw fail("more than one dealer") }
        guard !participants.isEmpty else { throw fail("no participants") }
        guard Self.isFingerprint(caFingerprint) else { throw fail("caFingerprint must be 64 lowercase hex digits") }
        let fingerprints = [caFingerprint] + members.compactMap(\.certFingerprint)
        guard Set(fingerprints).count == fingerprints.count else { throw fail("two certificates share a fingerprint") }
        guard Set(members.map(\.signingKey)).count == members.count else { throw fail("two members share a signing key") }
        guard Set(members.map(\.sealingKey)).count == members.count else { throw fail("two members share a sealing key") }
        if let committee {
            guard !committee.isEmpty else { throw fail("committee is empty (omit it to make every participant a holder)") }
            guard Set(committee).count == committee.count else { throw fail("committee names a participant more than once") }
            if let outsider = committee.first(where: { !participantIDs.contains($0) }) {
                throw fail("committee member \(outsider.debugDescription) is not a participant of the federation")
            }
        }
        do { try ThresholdRule.check(threshold: threshold, holders: holders.count) } catch { throw fail("\(error)") }
    }

    // MARK: Names

    /// A participant or dealer id: `^[a-z0-9][a-z0-9-]{0,62}$` (usable as a directory name
    /// and a DNS label), and not the reserved "coordinator".
    public static func checkParticipantID(_ id: String) throws {
        let bytes = Array(id.utf8)
        func isLowerAlnum(_ c: UInt8) -> Bool { (0x61...0x7a).contains(c) || (0x30...0x39).contains(c) }
        guard (1...63).contains(bytes.count) else {
            throw KeyCeremonyError.invalidParticipantID(id, reason: "must be 1 to 63 characters")
        }
        guard isLowerAlnum(bytes[0]), bytes.dropFirst().allSatisfy({ isLowerAlnum($0) || $0 == 0x2d }) else {
            throw KeyCeremonyError.invalidParticipantID(id, reason: "must match ^[a-z0-9][a-z0-9-]{0,62}$")
        }
        guard id != coordinatorID else {
            throw KeyCeremonyError.invalidParticipantID(id, reason: "\"coordinator\" is reserved for the coordinator")
        }
    }

    /// The coordinator's id is "coordinator" (messages name their sender so); other ids as
    /// `checkParticipantID`.
    public static func checkNodeID(_ id: String, role: NodeRole) throws {
        if role == .coordinator {
            guard id == coordinatorID else {
                throw KeyCeremonyError.invalidParticipantID(id, reason: "the coordinator's id must be \"coordinator\"")
            }
        } else {
            try checkParticipantID(id)
        }
    }

    public static func checkParticipantIDs(_ ids: [String]) throws {
        guard !ids.isEmpty else { throw KeyCeremonyError.noParticipants }
        var seen = Set<String>()
        for id in ids {
            try checkParticipantID(id)
            guard seen.insert(id).inserted else { throw KeyCeremonyError.duplicateParticipantID(id) }
        }
    }

    /// A federation name: 1–40 of `A-Za-z0-9._-`, starting with a letter or digit (it goes
    /// into the CA's common name, at most 64 characters by RFC 5280 Appendix A.1).
    public static func checkFederationName(_ name: String) throws {
        let bytes = Array(name.utf8)
        func isAlnum(_ c: UInt8) -> Bool {
            (0x61...0x7a).contains(c) || (0x41...0x5a).contains(c) || (0x30...0x39).contains(c)
        }
        guard (1...40).contains(bytes.count), isAlnum(bytes[0]),
              bytes.allSatisfy({ isAlnum($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }) else {
            throw KeyCeremonyError.invalidFederationName(name)
        }
    }

    static func isFingerprint(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
