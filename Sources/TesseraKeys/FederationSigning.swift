import Foundation
import TesseraCrypto
import TesseraRandom
import X509

/// What `tessera keys sign` produces: a certificate per connecting node (from its CSR) and
/// the CA-signed manifest.
public struct SignedFederation: Sendable {
    public struct NodeCertificate: Sendable {
        public let id: String
        public let role: NodeRole
        public let certificate: IssuedCertificate
    }

    public let manifest: FederationManifest
    public let certificates: [NodeCertificate]
    public let caCertificatePEM: String

    /// manifest.json as written (pretty-printed; the signature covers the canonical form).
    public var manifestData: Data { get throws { try KeyFiles.encode(manifest) } }
}

extension CertificateAuthority {
    /// Verifies every request (self-signature, CSR), checks that they form a federation
    /// (this CA's federation, distinct ids and keys, at most one coordinator and one dealer,
    /// at least one participant, committee ⊆ participants, the threshold rule), issues the
    /// certificates from the CSRs and signs the manifest. The coordinator may be missing
    /// (nodes then refuse to run until a manifest with one is installed). `threshold`
    /// defaults to the least t > n/2 of the holders.
    public func signFederation<R: RandomSource>(requests: [VerifiedRequest], threshold: Int?, committee: [String]?,
                                                notBefore: Date, notAfter: Date, warning: String? = nil,
                                                using rng: inout R) throws -> SignedFederation {
        guard let federation else {
            throw KeyCeremonyError.invalidParameter("the CA certificate does not name a federation (organizationName \"Tessera federation NAME\")")
        }
        guard !requests.isEmpty else { throw KeyCeremonyError.noParticipants }
        var ids: [String: String] = [:]
        for r in requests {
            guard r.request.federation == federation else {
                throw EnrollmentError.refused(path: r.path, reason:
                    "the request is for federation \(r.request.federation.debugDescription), this CA is federation \(federation.debugDescription)")
            }
            if let other = ids[r.id] {
                throw EnrollmentError.refused(path: r.path, reason: "id \(r.id.debugDescription) is also requested by \(other)")
            }
            ids[r.id] = r.path
        }
        func duplicate<K: Hashable>(_ key: (VerifiedRequest) -> K?, _ what: String) throws {
            var seen: [K: String] = [:]
            for r in requests {
                guard let k = key(r) else { continue }
                if let other = seen[k] { throw EnrollmentError.refused(path: r.path, reason: "its \(what) is also in \(other)") }
                seen[k] = r.path
            }
        }
        try duplicate({ $0.request.signingKey }, "signingKey")
        try duplicate({ $0.request.sealingKey }, "sealingKey")
        try duplicate({ $0.request.tlsPublicKey }, "tlsPublicKey")
        for role in [NodeRole.coordinator, .dealer] {
            let of = requests.filter { $0.role == role }
            if of.count > 1 { throw EnrollmentError.refused(path: of[1].path, reason: "a federation has one \(role.rawValue); \(of[0].path) is one too") }
        }
        let participants = requests.filter { $0.role == .participant }.map(\.id).sorted()
        guard !participants.isEmpty else { throw KeyCeremonyError.noParticipants }
        if let committee {
            guard !committee.isEmpty else { throw KeyCeremonyError.invalidParameter("--committee is empty") }
            var seen = Set<String>()
            for id in committee {
                guard participants.contains(id) else {
                    throw KeyCeremonyError.invalidParameter("--committee: \(id.debugDescription) is not a participant among the requests (\(participants.joined(separator: ", ")))")
                }
                guard seen.insert(id).inserted else { throw KeyCeremonyError.invalidParameter("--committee names \(id) twice") }
            }
        }
        let holders = (committee ?? participants).sorted()
        let t = threshold ?? ThresholdRule.defaultThreshold(holders: holders.count)
        try ThresholdRule.check(threshold: t, holders: holders.count)

        var members: [FederationManifest.Member] = []
        var certificates: [SignedFederation.NodeCertificate] = []
        for r in requests.sorted(by: { $0.id < $1.id }) {
            var fingerprint: String?
            if let key = r.tlsPublicKey {
                let named = r.role == .participant || r.role.isPrincipal  // SAN DNS = id only
                let issued = try issue(commonName: r.id, publicKey: key, dnsNames: named ? [r.id] : r.dnsNames,
                                       ipAddressBytes: named ? [] : r.ipAddresses,
                                       notBefore: notBefore, notAfter: notAfter, using: &rng)
                fingerprint = issued.fingerprint
                certificates.append(.init(id: r.id, role: r.role, certificate: issued))
            }
            members.append(.init(id: r.id, role: r.role, certFingerprint: fingerprint,
                                 signingKey: r.request.signingKey, sealingKey: r.request.sealingKey,
                                 organisation: r.request.organisation))
        }
        let caPEM = try certificatePEM
        var manifest = FederationManifest(federation: federation, warning: warning, caCertificate: caPEM,
                                          caFingerprint: try fingerprint, threshold: t,
                                          committee: committee?.sorted(), members: members)
        try manifest.sign(with: self)
        try manifest.verify(path: KeyLayout.manifest)
        return SignedFederation(manifest: manifest, certificates: certificates, caCertificatePEM: caPEM)
    }
}
