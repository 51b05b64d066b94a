import Crypto
import Foundation
import SwiftASN1
import TesseraCrypto
import TesseraRandom
import X509

/// A connecting node's credentials: its TLS certificate and key (PEM), its Ed25519 signing
/// key and its X25519 sealing key, each checked against the manifest.
public struct NodeIdentity: Sendable {
    public let id: String
    public let role: NodeRole
    /// The leaf certificate, PEM (the federation CA is the trust root, not part of the chain).
    public let certificateChainPEM: String
    /// The TLS key, PEM (SEC1 "EC PRIVATE KEY"). Secret.
    public let privateKeyPEM: String
    public let signingKey: SigningKey
    public let sealingKey: SealingPrivateKey
    public let certificateFingerprint: String
}

/// The dealer's keys (it has no certificate).
public struct DealerIdentity: Sendable {
    public let id: String
    public let signingKey: SigningKey
    public let sealingKey: SealingPrivateKey
}

/// A federation's verified public facts, and a node's own files on demand. Two layouts:
///
/// - a node directory (`tessera keys request` + `tessera keys install`): manifest.json,
///   ca.pem, cert.pem, key.pem, signing.key, sealing.key, request.json, and optionally
///   paillier-dealing.json, all of one node;
/// - a federation directory (the committed TEST federations, `tessera keys init`):
///   manifest.json, ca.pem, paillier-dealing.json and coordinator/, participants/ID/,
///   dealer/, each holding that node's files.
///
/// Loading verifies the manifest (CA signature, `FederationManifest.verify`), that a ca.pem
/// beside it is the manifest's CA, and the dealing (dealer's signature, epoch). A node's
/// secret files are refused when their group or others may read or write them.
public struct FederationKeys: Sendable {
    public enum Layout: Sendable, Equatable {
        /// One node's directory.
        case node
        /// A whole federation, one subdirectory per node.
        case federation
    }

    public let directory: String
    public let layout: Layout
    public let manifest: FederationManifest
    public let manifestPath: String
    /// `FederationManifest.epoch`.
    public let epoch: [UInt8]
    public let caCertificatePEM: String
    public let caCertificateDER: [UInt8]
    /// The verified Paillier dealing, if one is installed.
    public let dealing: PaillierDealing?
    public let paillierKey: ThresholdPublicKey?

    public var dealingPath: String { directory + "/" + KeyLayout.dealing }

    /// The threshold Paillier public key from the installed dealing.
    public var thresholdKey: ThresholdPublicKey {
        get throws {
            guard let paillierKey else { throw FederationKeysError.noDealing(directory: directory) }
            return paillierKey
        }
    }

    public static func load(directory: String) throws -> FederationKeys {
        let manifestPath = directory + "/" + KeyLayout.manifest
        let manifest = try FederationManifest.load(path: manifestPath)
        let (_, caDER) = try manifest.caCertificateParsed(path: manifestPath)
        let caPath = directory + "/" + KeyLayout.caCertificate
        if FileManager.default.fileExists(atPath: caPath) {
            let (_, _, der) = try readCertificate(caPath)
            guard der == caDER else {
                throw FederationKeysError.mismatch(path: caPath, reason:
                    "CA certificate fingerprint \(fingerprint(ofDER: der)) differs from the manifest's caFingerprint \(manifest.caFingerprint): ca.pem and manifest.json are of different federations")
            }
        }
        let layout: Layout = FileManager.default.fileExists(atPath: directory + "/" + KeyLayout.signingKey) ? .node : .federation
        var dealing: PaillierDealing?
        var paillierKey: ThresholdPublicKey?
        let dealingPath = directory + "/" + KeyLayout.dealing
        if FileManager.default.fileExists(atPath: dealingPath) {
            let d = try PaillierDealing.read(path: dealingPath)
            paillierKey = try d.verify(against: manifest, path: dealingPath)
            dealing = d
        }
        return FederationKeys(directory: directory, layout: layout, manifest: manifest, manifestPath: manifestPath,
                              epoch: try manifest.epoch, caCertificatePEM: X509Support.ensureNewline(manifest.caCertificate),
                              caCertificateDER: caDER, dealing: dealing, paillierKey: paillierKey)
    }

    /// Where the files of `member` are.
    public func nodeDirectory(for member: FederationManifest.Member) -> String {
        layout == .node ? directory : directory + "/" + KeyLayout.nodeDirectory(member.id, role: member.role)
    }

    /// The coordinator's identity, checked against the manifest and the CA.
    public func coordinatorIdentity() throws -> NodeIdentity {
        guard let c = manifest.coordinator else { throw FederationKeysError.noCoordinator(manifest: manifestPath) }
        return try identity(of: c)
    }

    /// A participant's identity and, if it is a decryption holder and a dealing is installed,
    /// its Paillier key share opened from the dealing with its sealing key and checked.
    public func participantIdentity(_ id: String) throws -> (NodeIdentity, KeyShare?) {
        guard let p = manifest.participant(id) else { throw FederationKeysError.unknownNode(id: id, manifest: manifestPath) }
        let identity = try identity(of: p)
        guard let dealing, let paillierKey else { return (identity, nil) }
        let share = try dealing.openShare(for: id, with: identity.sealingKey, key: paillierKey, path: dealingPath,
                                          keyPath: nodeDirectory(for: p) + "/" + KeyLayout.sealingKey)
        return (identity, share)
    }

    /// A principal's identity (a user of the job API), checked against the manifest and the CA.
    public func principalIdentity(_ id: String) throws -> NodeIdentity {
        guard let p = manifest.member(id), p.role.isPrincipal else { throw FederationKeysError.unknownNode(id: id, manifest: manifestPath) }
        return try identity(of: p)
    }

    /// The dealer's keys, checked against the manifest.
    public func dealerIdentity() throws -> DealerIdentity {
        guard let d = manifest.dealer else {
            throw FederationKeysError.unknownNode(id: KeyLayout.dealerDirectory, manifest: manifestPath)
        }
        let dir = nodeDirectory(for: d)
        try checkOwner(d, directory: dir)
        let signingKey = try checkedSigningKey(d, directory: dir)
        let sealingKey = try checkedSealingKey(d, directory: dir)
        return DealerIdentity(id: d.id, signingKey: signingKey, sealingKey: sealingKey)
    }

    /// The Ed25519 key the manifest lists for a member id.
    public func verifyingKey(for id: String) -> VerifyingKey? { manifest.member(id)?.signingKey }

    /// The participant whose certificate has this fingerprint (how a TLS peer is identified).
    public func participant(withFingerprint fingerprint: String) -> FederationManifest.Member? {
        manifest.participants.first { $0.certFingerprint == fingerprint }
    }

    /// SHA-256 of a certificate's DER encoding, lowercase hex.
    public static func fingerprint(ofDER der: [UInt8]) -> String { SHA256Digest.hash(der).hex }

    /// The subject's single commonName (RFC 5280 §4.1.2.6; X.520 id-at-commonName).
    public static func commonName(ofDER der: [UInt8]) throws -> String {
        let certificate = try Certificate(derEncoded: der)
        let names = certificate.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }
        guard names.count == 1, let name = String(names[0].value) else {
            throw FederationKeysError.badCertificate(path: "<DER>", reason: "subject has \(names.count) commonName attributes, expected one string")
        }
        return name
    }

    /// Mints an extra certificate, with a fresh key, from the federation CA in `directory`
    /// (needs ca-key.pem): e.g. a valid certificate for an id the manifest does not list.
    /// SAN DNS defaults to the common name. Returns the certificate and its key (SEC1 PEM).
    public static func issueCertificate(directory: String, commonName: String, dnsNames: [String]? = nil,
                                        ipAddresses: [String] = [], validityDays: Int = 30,
                                        now: Date = Date()) throws -> (certificate: IssuedCertificate, privateKeyPEM: String) {
        let ca = try CertificateAuthority.load(directory: directory)
        var rng = SystemRandom()
        let key = X509Support.makeP256Key(using: &rng)
        let issued = try ca.issue(commonName: commonName, publicKey: Certificate.PublicKey(key.publicKey),
                                  dnsNames: dnsNames ?? [commonName], ipAddresses: ipAddresses,
                                  notBefore: now.addingTimeInterval(-3600),
                                  notAfter: now.addingTimeInterval(Double(validityDays) * 86400), using: &rng)
        return (issued, TLSKeyFile.sec1PEM(key))
    }

    // MARK: Loading a node's files

    private func identity(of member: FederationManifest.Member) throws -> NodeIdentity {
        let dir = nodeDirectory(for: member) + "/"
        try checkOwner(member, directory: String(dir.dropLast()))
        let certPath = dir + KeyLayout.certificate
        let (certPEM, certificate, der) = try Self.readCertificate(certPath)
        let actual = Self.fingerprint(ofDER: der)
        guard actual == member.certFingerprint else {
            throw FederationKeysError.mismatch(path: certPath, reason:
                "certificate fingerprint \(actual) differs from the manifest's certFingerprint \(member.certFingerprint ?? "none") for \(member.id)")
        }
        let ca = try Certificate(derEncoded: caCertificateDER)
        guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw FederationKeysError.mismatch(path: certPath, reason: "certificate is not signed by the federation CA (the manifest's caCertificate)")
        }
        let keyPath = dir + KeyLayout.privateKey
        let (key, keyPEM) = try NodeKeyFiles.tlsKey(path: keyPath)
        guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
            throw FederationKeysError.mismatch(path: keyPath, reason: "private key does not match \(certPath)")
        }
        let signingKey = try checkedSigningKey(member, directory: String(dir.dropLast()))
        let sealingKey = try checkedSealingKey(member, directory: String(dir.dropLast()))
        return NodeIdentity(id: member.id, role: member.role, certificateChainPEM: certPEM, privateKeyPEM: keyPEM,
                            signingKey: signingKey, sealingKey: sealingKey, certificateFingerprint: actual)
    }

    /// In a node directory, request.json (if present) must name this member.
    private func checkOwner(_ member: FederationManifest.Member, directory dir: String) throws {
        guard layout == .node else { return }
        let requestPath = dir + "/" + KeyLayout.request
        guard FileManager.default.fileExists(atPath: requestPath) else { return }
        let request = try EnrollmentRequest.read(path: requestPath)
        guard request.id == member.id else {
            throw FederationKeysError.mismatch(path: requestPath, reason:
                "this node directory belongs to \(request.id.debugDescription), not to \(member.id.debugDescription)")
        }
    }

    private func checkedSigningKey(_ member: FederationManifest.Member, directory dir: String) throws -> SigningKey {
        let path = dir + "/" + KeyLayout.signingKey
        let key = try NodeKeyFiles.signingKey(path: path)
        guard key.verifyingKey == member.signingKey else {
            throw FederationKeysError.mismatch(path: path, reason:
                "public key \(key.verifyingKey) differs from the manifest's signingKey \(member.signingKey) for \(member.id)")
        }
        return key
    }

    private func checkedSealingKey(_ member: FederationManifest.Member, directory dir: String) throws -> SealingPrivateKey {
        let path = dir + "/" + KeyLayout.sealingKey
        let key = try NodeKeyFiles.sealingKey(path: path)
        guard key.publicKey == member.sealingKey else {
            throw FederationKeysError.mismatch(path: path, reason:
                "public key \(key.publicKey) differs from the manifest's sealingKey \(member.sealingKey) for \(member.id)")
        }
        return key
    }

    /// Reads a PEM file holding exactly one certificate: its text, parsed form and DER.
    static func readCertificate(_ path: String) throws -> (String, Certificate, [UInt8]) {
        let text = try X509Support.readText(path)
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: text) } catch {
            throw FederationKeysError.badPEM(path: path, reason: "\(error)")
        }
        guard documents.count == 1, documents[0].discriminator == "CERTIFICATE" else {
            throw FederationKeysError.badPEM(path: path, reason:
                "expected one CERTIFICATE block, found \(documents.map(\.discriminator))")
        }
        let der = documents[0].derBytes
        do { return (text, try Certificate(derEncoded: der), der) } catch {
            throw FederationKeysError.badCertificate(path: path, reason: "\(error)")
        }
    }
}
