import Crypto
import Foundation
import SwiftASN1
import TesseraCrypto
import TesseraRandom
import X509

/// `request.json` (`tessera/enrollment-request/v1`): what a node sends the CA operator. Only
/// public material: the node's id and role, a PKCS#10 CSR for its TLS key (P-256, subject
/// CN = id, the SANs it asks for), that key again as SPKI DER (base64, so that the CA checks
/// the CSR carries the node's key), its Ed25519 signing key and X25519 sealing key (hex),
/// and `signature`: base64 Ed25519 by the signing key over the canonical body (the request
/// without "signature", `CanonicalJSON`), which proves possession of the signing key and
/// binds the other keys to it. A dealer never connects, so its request has no CSR and no
/// tlsPublicKey.
public struct EnrollmentRequest: Codable, Sendable, Hashable {
    public static let format = "tessera/enrollment-request/v1"
    public var format: String
    public var federation: String
    public var id: String
    public var role: NodeRole
    /// PKCS#10 "CERTIFICATE REQUEST", PEM; absent for the dealer.
    public var csr: String?
    /// SubjectPublicKeyInfo DER of the CSR's key, base64; absent for the dealer.
    public var tlsPublicKey: String?
    public var signingKey: VerifyingKey
    public var sealingKey: SealingPublicKey
    /// A principal's organisation (see `FederationManifest.Member.organisation`).
    public var organisation: String?
    public var signature: String?

    static let fields: Set<String> = ["format", "federation", "id", "role", "csr", "tlsPublicKey", "signingKey", "sealingKey",
                                      "organisation", "signature"]

    public func canonicalBody() throws -> [UInt8] {
        var body = self
        body.signature = nil
        return try CanonicalJSON.encode(body)
    }

    /// This request signed by `key` (which must be the request's signing key to verify).
    public func signed(with key: SigningKey) throws -> EnrollmentRequest {
        var copy = self
        copy.signature = Data(key.sign(try canonicalBody())).base64EncodedString()
        return copy
    }

    /// Generates a node's keys at the node and its signed request: the TLS key (P-256) with
    /// a CSR (not for the dealer), the Ed25519 signing key and the X25519 sealing key.
    /// Participants ask for SAN DNS = id; the coordinator for `dnsNames` and `ipAddresses`.
    public static func generate<R: RandomSource>(federation: String, id: String, role: NodeRole,
                                                 dnsNames: [String] = [], ipAddresses: [String] = [], organisation: String? = nil,
                                                 using rng: inout R) throws -> (EnrollmentRequest, NodeKeyMaterial) {
        try FederationManifest.checkFederationName(federation)
        try FederationManifest.checkNodeID(id, role: role)
        try Self.checkOrganisation(organisation, role: role)
        var tlsKey: P256.Signing.PrivateKey?
        var csrPEM: String?, spki: String?
        if role.hasCertificate {
            let key = X509Support.makeP256Key(using: &rng)
            var names: [GeneralName]
            if role == .coordinator {
                guard !dnsNames.isEmpty || !ipAddresses.isEmpty else {
                    throw KeyCeremonyError.invalidParameter("the coordinator's certificate needs at least one --dns or --ip name")
                }
                names = dnsNames.map { GeneralName.dnsName($0) }
                for ip in ipAddresses {
                    guard let bytes = X509Support.ipAddressBytes(ip) else {
                        throw KeyCeremonyError.invalidParameter("--ip \(ip.debugDescription) is not an IPv4 or IPv6 address")
                    }
                    names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
                }
            } else {
                guard dnsNames.isEmpty, ipAddresses.isEmpty else {
                    throw KeyCeremonyError.invalidParameter("a \(role.rawValue)'s certificate names only its id; --dns and --ip are for the coordinator")
                }
                names = [.dnsName(id)]
            }
            let extensions = try Certificate.Extensions { SubjectAlternativeNames(names) }
            let attributes = CertificateSigningRequest.Attributes(
                [try CertificateSigningRequest.Attribute(ExtensionRequest(extensions: extensions))])
            let csr = try CertificateSigningRequest(version: .v1, subject: try DistinguishedName { CommonName(id) },
                                                    privateKey: Certificate.PrivateKey(key), attributes: attributes,
                                                    signatureAlgorithm: .ecdsaWithSHA256)
            csrPEM = X509Support.ensureNewline(try csr.serializeAsPEM().pemString)
            spki = key.publicKey.derRepresentation.base64EncodedString()
            tlsKey = key
        } else {
            guard dnsNames.isEmpty, ipAddresses.isEmpty else {
                throw KeyCeremonyError.invalidParameter("a dealer never connects and gets no certificate: no --dns or --ip")
            }
        }
        let signingKey = SigningKey.generate(using: &rng)
        let sealingKey = SealingPrivateKey.generate(using: &rng)
        let request = try EnrollmentRequest(format: format, federation: federation, id: id, role: role, csr: csrPEM,
                                            tlsPublicKey: spki, signingKey: signingKey.verifyingKey,
                                            sealingKey: sealingKey.publicKey, organisation: organisation, signature: nil).signed(with: signingKey)
        return (request, NodeKeyMaterial(id: id, role: role, tlsKey: tlsKey, signingKey: signingKey, sealingKey: sealingKey))
    }

    /// Reads a request file (no verification; see `verify`). Unknown fields are refused.
    public static func read(path: String) throws -> EnrollmentRequest {
        guard FileManager.default.fileExists(atPath: path) else { throw FederationKeysError.missingFile(path: path) }
        let data: Data
        do { data = try FileBytes.read(path) } catch { throw EnrollmentError.invalidRequest(path: path, reason: "\(error)") }
        return try decode(data, path: path)
    }

    /// A request file's bytes, decoded as `read` does (`path` names it in errors).
    public static func decode(_ data: Data, path: String) throws -> EnrollmentRequest {
        do {
            let request = try KeyFiles.decode(EnrollmentRequest.self, from: data, path: path, format: format)
            try JSONFields.check(data, allowed: fields, path: path)
            return request
        } catch {
            throw EnrollmentError.invalidRequest(path: path, reason: "\(error)")
        }
    }

    /// Reads and verifies a request file.
    public static func load(path: String) throws -> VerifiedRequest { try read(path: path).verify(path: path) }

    /// Checks everything the CA relies on: the id and federation name, the self-signature,
    /// and (except for a dealer) that the CSR is well formed, signed by its own key, for
    /// CN = id, asking only for names the role may have, and that its key is `tlsPublicKey`.
    public func verify(path: String) throws -> VerifiedRequest {
        func fail(_ reason: String) -> EnrollmentError { .invalidRequest(path: path, reason: reason) }
        guard format == Self.format else { throw fail("format is \(format.debugDescription), expected \(Self.format.debugDescription)") }
        do {
            try FederationManifest.checkFederationName(federation)
            try FederationManifest.checkNodeID(id, role: role)
            try Self.checkOrganisation(organisation, role: role)
        } catch { throw fail("\(error)") }
        guard let signature else { throw fail("no \"signature\": a request must be signed by its signing key") }
        guard let signatureBytes = Data(base64Encoded: signature),
              signingKey.isValidSignature([UInt8](signatureBytes), for: try canonicalBody()) else {
            throw fail("bad self-signature: \"signature\" does not verify with the request's signingKey \(signingKey) (the request was altered or signed by another key)")
        }
        guard role.hasCertificate else {
            guard csr == nil, tlsPublicKey == nil else { throw fail("a dealer's request has no csr and no tlsPublicKey (a dealer never connects)") }
            return VerifiedRequest(request: self, path: path, tlsPublicKey: nil, dnsNames: [], ipAddresses: [])
        }
        guard let csr else { throw fail("field \"csr\" is missing (a \(role.rawValue) needs a certificate)") }
        guard let tlsPublicKey else { throw fail("field \"tlsPublicKey\" is missing") }
        let parsed: CertificateSigningRequest
        do { parsed = try CertificateSigningRequest(pemEncoded: csr) } catch {
            throw fail("field \"csr\" is not a PEM CERTIFICATE REQUEST (\(error))")
        }
        guard parsed.publicKey.isValidSignature(parsed.signature, for: parsed) else {
            throw fail("the CSR's own signature does not verify with its key")
        }
        guard P256.Signing.PublicKey(parsed.publicKey) != nil else { throw fail("the CSR's key is not P-256") }
        guard let spki = Data(base64Encoded: tlsPublicKey), let key = try? P256.Signing.PublicKey(derRepresentation: spki) else {
            throw fail("field \"tlsPublicKey\" is not base64 of a P-256 SubjectPublicKeyInfo")
        }
        guard Certificate.PublicKey(key) == parsed.publicKey else {
            throw fail("the CSR's key differs from the request's tlsPublicKey: the CSR was not made with this node's TLS key")
        }
        let commonNames = parsed.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) }
        guard commonNames == [id] else {
            throw fail("the CSR's subject common name is \(commonNames), expected [\(id.debugDescription)]")
        }
        var dnsNames: [String] = [], ipAddresses: [[UInt8]] = []
        do {
            for name in try parsed.attributes.extensionRequest?.extensions.subjectAlternativeNames ?? SubjectAlternativeNames([]) {
                switch name {
                case .dnsName(let dns): dnsNames.append(dns)
                case .ipAddress(let ip) where ip.bytes.count == 4 || ip.bytes.count == 16: ipAddresses.append(Array(ip.bytes))
                default: throw fail("the CSR asks for a subject alternative name other than a DNS name or an IP address: \(name)")
                }
            }
        } catch let error as EnrollmentError { throw error } catch {
            throw fail("the CSR's extension request cannot be read (\(error))")
        }
        if role == .participant || role.isPrincipal {
            guard dnsNames == [id], ipAddresses.isEmpty else {
                throw fail("a \(role.rawValue)'s CSR must ask for exactly the DNS name \(id.debugDescription), it asks for \(dnsNames) and \(ipAddresses.count) IP address(es)")
            }
        } else if dnsNames.isEmpty && ipAddresses.isEmpty {
            throw fail("the coordinator's CSR asks for no name (DNS or IP) to put in its certificate")
        }
        return VerifiedRequest(request: self, path: path, tlsPublicKey: parsed.publicKey, dnsNames: dnsNames, ipAddresses: ipAddresses)
    }
}

extension EnrollmentRequest {
    /// Principals name an organisation (an id-shaped name); nodes do not.
    static func checkOrganisation(_ organisation: String?, role: NodeRole) throws {
        if role.isPrincipal {
            guard let organisation else {
                throw KeyCeremonyError.invalidParameter("a \(role.rawValue) names its organisation (--organisation: platform, a brand's id, or a firm's name)")
            }
            try FederationManifest.checkParticipantID(organisation)
        } else if organisation != nil {
            throw KeyCeremonyError.invalidParameter("only principals (operator, analyst, steward, auditor) name an organisation, not a \(role.rawValue)")
        }
    }
}

/// A request whose self-signature and CSR were checked (`EnrollmentRequest.verify`).
public struct VerifiedRequest: Sendable {
    public let request: EnrollmentRequest
    public let path: String
    let tlsPublicKey: Certificate.PublicKey?
    let dnsNames: [String]
    let ipAddresses: [[UInt8]]
    public var id: String { request.id }
    public var role: NodeRole { request.role }
}
