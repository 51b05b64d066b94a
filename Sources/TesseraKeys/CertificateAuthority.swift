import Crypto
import Foundation
import SwiftASN1
import TesseraCrypto
import TesseraRandom
import X509

/// A certificate the CA issued, PEM and DER.
public struct IssuedCertificate: Sendable {
    public let certificatePEM: String
    public let der: [UInt8]
    public var fingerprint: String { FederationKeys.fingerprint(ofDER: der) }
}

/// The federation CA: a self-signed P-256 root that signs every node certificate (from the
/// node's CSR: the CA never sees a node's private key) and the federation manifest.
/// All key and serial-number randomness comes from a `RandomSource` (libsodium); only the
/// ECDSA signature nonces come from swift-crypto (BoringSSL).
public struct CertificateAuthority {
    public let certificate: Certificate
    let privateKey: P256.Signing.PrivateKey

    public var certificatePEM: String { get throws { try X509Support.pem(certificate) } }
    /// SEC1 "EC PRIVATE KEY" PEM (ca-key.pem, mode 0600). Secret.
    public var privateKeyPEM: String { TLSKeyFile.sec1PEM(privateKey) }
    public var der: [UInt8] { get throws { try X509Support.der(certificate) } }
    public var fingerprint: String { get throws { FederationKeys.fingerprint(ofDER: try der) } }

    /// The federation the CA was made for (its subject's organizationName, "Tessera federation NAME").
    public var federation: String? {
        let organization = certificate.subject.flatMap { $0 }
            .first { $0.type == .RDNAttributeType.organizationName }.flatMap { String($0.value) }
        let prefix = "Tessera federation "
        guard let organization, organization.hasPrefix(prefix) else { return nil }
        return String(organization.dropFirst(prefix.count))
    }

    /// Loads a CA from its certificate and key (PEM), checking that they belong together.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate = try Certificate(pemEncoded: certificatePEM)
        let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
            throw KeyCeremonyError.invalidParameter("the CA private key does not match the CA certificate")
        }
        guard case .isCertificateAuthority = try certificate.extensions.basicConstraints else {
            throw KeyCeremonyError.invalidParameter("the CA certificate is not a CA (basicConstraints)")
        }
        self.certificate = certificate
        privateKey = key
    }

    init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Loads `ca.pem` and `ca-key.pem` from a CA directory (`tessera keys ca init`) or a TEST
    /// federation directory. ca-key.pem is refused if its group or others may read or write it.
    public static func load(directory: String) throws -> CertificateAuthority {
        let certPath = directory + "/" + KeyLayout.caCertificate
        let keyPath = directory + "/" + KeyLayout.caPrivateKey
        let certificatePEM = try X509Support.readText(certPath)
        let (key, _) = try NodeKeyFiles.tlsKey(path: keyPath)
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: certificatePEM) } catch {
            throw FederationKeysError.badCertificate(path: certPath, reason: "\(error)")
        }
        guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
            throw FederationKeysError.mismatch(path: keyPath, reason: "the CA private key does not match \(certPath)")
        }
        guard case .isCertificateAuthority = try? certificate.extensions.basicConstraints else {
            throw FederationKeysError.badCertificate(path: certPath, reason: "not a CA certificate (basicConstraints)")
        }
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// A self-signed root (RFC 5280 §4.2.1.9 basicConstraints cA, critical; §4.2.1.3
    /// keyUsage keyCertSign + cRLSign, critical; §4.2.1.2 subjectKeyIdentifier).
    public static func create<R: RandomSource>(federation: String, notBefore: Date, notAfter: Date,
                                               using rng: inout R) throws -> CertificateAuthority {
        let key = X509Support.makeP256Key(using: &rng)
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            OrganizationName("Tessera federation \(federation)")
            CommonName("Tessera federation \(federation) CA")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: X509Support.serialNumber(using: &rng), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// A node certificate for `publicKey` (from the node's CSR): subject CN = `commonName`;
    /// SAN DNS names and IP addresses (§4.2.1.6); EKU serverAuth + clientAuth (§4.2.1.12);
    /// keyUsage digitalSignature, critical (§4.2.1.3); not a CA (§4.2.1.9); AKI/SKI (§4.2.1.1–2).
    public func issue<R: RandomSource>(commonName: String, publicKey: Certificate.PublicKey, dnsNames: [String],
                                       ipAddresses: [String] = [], ipAddressBytes: [[UInt8]] = [],
                                       notBefore: Date, notAfter: Date,
                                       using rng: inout R) throws -> IssuedCertificate {
        var names = dnsNames.map { GeneralName.dnsName($0) }
        for bytes in ipAddressBytes { names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...]))) }
        for ip in ipAddresses {
            guard let bytes = X509Support.ipAddressBytes(ip) else {
                throw KeyCeremonyError.invalidParameter("not an IP address: \(ip.debugDescription)")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        let organization = certificate.subject.flatMap { $0 }
            .first { $0.type == .RDNAttributeType.organizationName }.flatMap { String($0.value) }
        let subject = try DistinguishedName {
            if let organization { OrganizationName(organization) }
            CommonName(commonName)
        }
        let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames(names)
            SubjectKeyIdentifier(hash: publicKey)
            if let authorityKeyID { AuthorityKeyIdentifier(keyIdentifier: authorityKeyID) }
        }
        let issued = try Certificate(
            version: .v3, serialNumber: X509Support.serialNumber(using: &rng), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: certificate.subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(privateKey))
        return IssuedCertificate(certificatePEM: try X509Support.pem(issued), der: try X509Support.der(issued))
    }

    /// ECDSA P-256 with SHA-256 over `message`, DER (what signs manifest.json).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        [UInt8](try privateKey.signature(for: message).derRepresentation)
    }

    /// Whether `certificate` names this CA as issuer and carries a valid signature by its key.
    public func signed(_ other: Certificate) -> Bool {
        other.issuer == certificate.subject && certificate.publicKey.isValidSignature(other.signature, for: other)
    }
}

/// Small X.509 and PEM helpers.
enum X509Support {
    /// The order n of the P-256 base point (SEC 2 §2.4.2), big-endian.
    static let p256Order: [UInt8] = [UInt8](hex: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")!

    /// A P-256 private key from 32 bytes of the random source, redrawn (probability < 2⁻³²)
    /// while the scalar is 0 or not below n.
    static func makeP256Key<R: RandomSource>(using rng: inout R) -> P256.Signing.PrivateKey {
        while true {
            let scalar = rng.bytes(32)
            guard scalar.contains(where: { $0 != 0 }), scalar.lexicographicallyPrecedes(p256Order) else { continue }
            if let key = try? P256.Signing.PrivateKey(rawRepresentation: scalar) { return key }
        }
    }

    /// A positive 20-octet serial number (RFC 5280 §4.1.2.2) with 158 random bits: the top
    /// bit is cleared (positive) and the next one set (no leading zero octet).
    static func serialNumber<R: RandomSource>(using rng: inout R) -> Certificate.SerialNumber {
        var bytes = rng.bytes(20)
        bytes[0] = (bytes[0] & 0x3f) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }

    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    static func pem(_ certificate: Certificate) throws -> String {
        ensureNewline(try certificate.serializeAsPEM().pemString)
    }

    static func ensureNewline(_ s: String) -> String { s.hasSuffix("\n") ? s : s + "\n" }

    static func readText(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw FederationKeysError.missingFile(path: path) }
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FederationKeysError.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
