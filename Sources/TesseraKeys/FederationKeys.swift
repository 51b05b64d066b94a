import Crypto
import Foundation
import SwiftASN1
import TesseraCrypto
import TesseraRandom
import X509

/// A node's credentials: its TLS certificate and key (PEM) and its Ed25519 signing key.
public struct NodeIdentity: Sendable {
    public let id: String
    /// The leaf certificate, PEM (the federation CA is the trust root, not part of the chain).
    public let certificateChainPEM: String
    /// PKCS#8 "PRIVATE KEY", PEM. Secret.
    public let privateKeyPEM: String
    public let signingKey: SigningKey
    public let certificateFingerprint: String
}

/// A key directory written by `tessera keys init`, loaded and checked: manifest.json and
/// ca.pem at load, a node's own files when its identity is asked for. A node's copy of the
/// directory needs only manifest.json, ca.pem and its own node directory.
public struct FederationKeys: Sendable {
    public let directory: String
    public let manifest: FederationManifest
    public let thresholdKey: ThresholdPublicKey
    public let caCertificatePEM: String
    public let caCertificateDER: [UInt8]

    /// Loads and validates manifest.json and ca.pem (which must be a CA whose fingerprint is
    /// the manifest's `caFingerprint`). Errors name the file and the problem.
    public static func load(directory: String) throws -> FederationKeys {
        let manifestPath = directory + "/" + KeyLayout.manifest
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw FederationKeysError.missingFile(path: manifestPath)
        }
        let manifest: FederationManifest
        do {
            manifest = try KeyFiles.read(FederationManifest.self, path: manifestPath, format: FederationManifest.format)
        } catch let error as KeyFileError {
            throw FederationKeysError.invalidManifest(path: manifestPath, reason: "\(error)")
        }
        try manifest.validate(path: manifestPath)
        let thresholdKey = try manifest.thresholdKey.publicKey(path: manifestPath)

        let caPath = directory + "/" + KeyLayout.caCertificate
        let (caPEM, ca, caDER) = try readCertificate(caPath)
        guard fingerprint(ofDER: caDER) == manifest.caFingerprint else {
            throw FederationKeysError.mismatch(path: caPath, reason:
                "CA certificate fingerprint \(fingerprint(ofDER: caDER)) differs from the manifest's caFingerprint \(manifest.caFingerprint)")
        }
        guard case .isCertificateAuthority = try? ca.extensions.basicConstraints, ca.issuer == ca.subject,
              ca.publicKey.isValidSignature(ca.signature, for: ca) else {
            throw FederationKeysError.badCertificate(path: caPath, reason: "not a self-signed CA certificate")
        }
        return FederationKeys(directory: directory, manifest: manifest, thresholdKey: thresholdKey,
                              caCertificatePEM: caPEM, caCertificateDER: caDER)
    }

    /// The coordinator's identity from coordinator/, checked against the manifest and the CA.
    public func coordinatorIdentity() throws -> NodeIdentity {
        let c = manifest.coordinator
        return try identity(id: c.id, fingerprint: c.certFingerprint, signingKey: c.signingKey)
    }

    /// A participant's identity and key share from participants/ID/, checked against the
    /// manifest (certificate fingerprint, signing key, share index), the CA, and the share's
    /// verification key.
    public func participantIdentity(_ id: String) throws -> (NodeIdentity, KeyShare) {
        guard let p = manifest.participant(id) else {
            throw FederationKeysError.unknownNode(id: id, manifest: directory + "/" + KeyLayout.manifest)
        }
        let identity = try identity(id: id, fingerprint: p.certFingerprint, signingKey: p.signingKey)
        let sharePath = directory + "/" + KeyLayout.nodeDirectory(id) + "/" + KeyLayout.share
        guard FileManager.default.fileExists(atPath: sharePath) else { throw FederationKeysError.missingFile(path: sharePath) }
        let share = try KeyFiles.loadShare(path: sharePath, for: thresholdKey)
        guard share.index == p.shareIndex else {
            throw FederationKeysError.mismatch(path: sharePath, reason:
                "share index \(share.index) differs from the manifest's shareIndex \(p.shareIndex) for \(id)")
        }
        return (identity, share)
    }

    /// The Ed25519 key the manifest lists for a node id ("coordinator" or a participant).
    public func verifyingKey(for id: String) -> VerifyingKey? {
        id == manifest.coordinator.id ? manifest.coordinator.signingKey : manifest.participant(id)?.signingKey
    }

    /// The participant whose certificate has this fingerprint (how a TLS peer is identified).
    public func participant(withFingerprint fingerprint: String) -> FederationManifest.Participant? {
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

    /// Mints an extra certificate from the federation CA in `directory` (needs ca-key.pem),
    /// e.g. a valid certificate for an id the manifest does not list. SAN DNS defaults to
    /// the common name.
    public static func issueCertificate(directory: String, commonName: String, dnsNames: [String]? = nil,
                                        ipAddresses: [String] = [], validityDays: Int = 30,
                                        now: Date = Date()) throws -> IssuedCertificate {
        let ca = try CertificateAuthority.load(directory: directory)
        var rng = SystemRandom()
        return try ca.issue(commonName: commonName, dnsNames: dnsNames ?? [commonName], ipAddresses: ipAddresses,
                            notBefore: now.addingTimeInterval(-3600),
                            notAfter: now.addingTimeInterval(Double(validityDays) * 86400), using: &rng)
    }

    // MARK: Loading a node's files

    private func identity(id: String, fingerprint expected: String, signingKey expectedKey: VerifyingKey) throws -> NodeIdentity {
        let dir = directory + "/" + KeyLayout.nodeDirectory(id) + "/"
        let certPath = dir + KeyLayout.certificate
        let (certPEM, certificate, der) = try Self.readCertificate(certPath)
        let actual = Self.fingerprint(ofDER: der)
        guard actual == expected else {
            throw FederationKeysError.mismatch(path: certPath, reason:
                "certificate fingerprint \(actual) differs from the manifest's certFingerprint \(expected) for \(id)")
        }
        let ca = try Certificate(derEncoded: caCertificateDER)
        guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw FederationKeysError.mismatch(path: certPath, reason: "certificate is not signed by the federation CA (ca.pem)")
        }

        let keyPath = dir + KeyLayout.privateKey
        let keyPEM = try X509Support.readText(keyPath)
        let key: P256.Signing.PrivateKey
        do { key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM) } catch {
            throw FederationKeysError.badPEM(path: keyPath, reason: "not a P-256 private key (\(error))")
        }
        guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
            throw FederationKeysError.mismatch(path: keyPath, reason: "private key does not match \(certPath)")
        }

        let signingPath = dir + KeyLayout.signingKey
        let (fileID, signingKey) = try SigningKeyFile.load(path: signingPath)
        guard fileID == id else {
            throw FederationKeysError.mismatch(path: signingPath, reason: "signing key file is for \(fileID.debugDescription), not \(id.debugDescription)")
        }
        guard signingKey.verifyingKey == expectedKey else {
            throw FederationKeysError.mismatch(path: signingPath, reason:
                "public key \(signingKey.verifyingKey) differs from the manifest's signingKey \(expectedKey) for \(id)")
        }
        return NodeIdentity(id: id, certificateChainPEM: certPEM, privateKeyPEM: keyPEM,
                            signingKey: signingKey, certificateFingerprint: actual)
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
