import Crypto
import Foundation
import TesseraCrypto
import TesseraRandom
import X509

/// The files of the enrollment flow: each step's output written, each step's input checked
/// before anything is written (a refused input leaves nothing behind).
///
///     node:      tessera keys request   → DIR/{request.json, key.pem, signing.key, sealing.key}
///     CA:        tessera keys ca init   → CA_DIR/{ca.pem, ca-key.pem}
///                tessera keys sign      → OUT/{manifest.json, ca.pem, ID/cert.pem…}
///     dealer:    tessera keys deal      → OUT/paillier-dealing.json
///     node:      tessera keys install   → DIR/{cert.pem, ca.pem, manifest.json, paillier-dealing.json}
public enum Enrollment {
    /// One file written, relative to the step's directory.
    public struct WrittenFile: Sendable, Hashable {
        public let path: String
        public let secret: Bool
    }

    // MARK: Node: request

    /// Writes a node's secrets (0600, created with O_EXCL, in a 0700 directory) and its
    /// public request.json. Refuses to overwrite any file of a node: a node's keys are
    /// never replaced in place.
    @discardableResult
    public static func writeNode(_ material: NodeKeyMaterial, request: EnrollmentRequest?, directory: String) throws -> [WrittenFile] {
        let secrets = material.secretFiles()
        let names = secrets.map(\.0) + (request == nil ? [] : [KeyLayout.request])
        for name in names where exists(directory + "/" + name) {
            throw KeyCeremonyError.nodeKeysExist(path: directory + "/" + name)
        }
        try KeyFileWriter.makeDirectory(directory, private: true)
        var written: [WrittenFile] = []
        for (name, data) in secrets {
            try KeyFileWriter.write(data, to: directory + "/" + name, secret: true, replace: false)
            written.append(.init(path: name, secret: true))
        }
        if let request {
            try KeyFileWriter.write(try KeyFiles.encode(request), to: directory + "/" + KeyLayout.request, secret: false, replace: false)
            written.append(.init(path: KeyLayout.request, secret: false))
        }
        return written
    }

    // MARK: CA: ca init, sign

    /// Writes ca.pem (0644) and ca-key.pem (SEC1, 0600) into a 0700 directory.
    @discardableResult
    public static func writeCA(_ ca: CertificateAuthority, directory: String, force: Bool = false) throws -> [WrittenFile] {
        let files: [(String, Data, Bool)] = [(KeyLayout.caPrivateKey, Data(ca.privateKeyPEM.utf8), true),
                                             (KeyLayout.caCertificate, Data(try ca.certificatePEM.utf8), false)]
        if !force, let existing = files.first(where: { exists(directory + "/" + $0.0) }) {
            throw KeyCeremonyError.fileExists(path: directory + "/" + existing.0)
        }
        try KeyFileWriter.makeDirectory(directory, private: true)
        for (name, data, secret) in files { try KeyFileWriter.write(data, to: directory + "/" + name, secret: secret) }
        return files.map { .init(path: $0.0, secret: $0.2) }
    }

    /// Writes the CA's signed output: ID/cert.pem for each connecting node, ca.pem, and
    /// manifest.json last. Public files only.
    @discardableResult
    public static func writeSigned(_ signed: SignedFederation, directory: String, force: Bool = false) throws -> [WrittenFile] {
        var files: [(String, Data)] = signed.certificates.map { ($0.id + "/" + KeyLayout.certificate, Data($0.certificate.certificatePEM.utf8)) }
        files.append((KeyLayout.caCertificate, Data(signed.caCertificatePEM.utf8)))
        files.append((KeyLayout.manifest, try signed.manifestData))
        if !force, let existing = files.first(where: { exists(directory + "/" + $0.0) }) {
            throw KeyCeremonyError.fileExists(path: directory + "/" + existing.0)
        }
        try KeyFileWriter.makeDirectory(directory, private: false)
        for c in signed.certificates { try KeyFileWriter.makeDirectory(directory + "/" + c.id, private: false) }
        for (name, data) in files { try KeyFileWriter.write(data, to: directory + "/" + name, secret: false) }
        return files.map { .init(path: $0.0, secret: false) }
    }

    // MARK: Dealer: deal

    /// Writes paillier-dealing.json (public: the shares in it are sealed).
    @discardableResult
    public static func writeDealing(_ dealing: PaillierDealing, directory: String, force: Bool = false) throws -> [WrittenFile] {
        let path = directory + "/" + KeyLayout.dealing
        if !force && exists(path) { throw KeyCeremonyError.fileExists(path: path) }
        try KeyFileWriter.makeDirectory(directory, private: false)
        try KeyFileWriter.write(try KeyFiles.encode(dealing), to: path, secret: false)
        return [.init(path: KeyLayout.dealing, secret: false)]
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}

/// A node's own keys, read from its directory (request.json names it; the secrets are
/// mode-checked), for install and deal.
public struct OwnNodeKeys: Sendable {
    public let directory: String
    public let id: String
    public let role: NodeRole
    public let tlsKey: P256.Signing.PrivateKey?
    public let signingKey: SigningKey
    public let sealingKey: SealingPrivateKey

    /// Reads DIR/request.json (public: id and role) and the node's secrets, checking that
    /// the request's public keys are the secrets' (so that files of two nodes are not mixed).
    public static func load(directory: String) throws -> OwnNodeKeys {
        let requestPath = directory + "/" + KeyLayout.request
        let request = try EnrollmentRequest.read(path: requestPath)
        let signingPath = directory + "/" + KeyLayout.signingKey, sealingPath = directory + "/" + KeyLayout.sealingKey
        let signingKey = try NodeKeyFiles.signingKey(path: signingPath)
        guard signingKey.verifyingKey == request.signingKey else {
            throw FederationKeysError.mismatch(path: signingPath, reason: "this signing key is not the one in \(requestPath)")
        }
        let sealingKey = try NodeKeyFiles.sealingKey(path: sealingPath)
        guard sealingKey.publicKey == request.sealingKey else {
            throw FederationKeysError.mismatch(path: sealingPath, reason: "this sealing key is not the one in \(requestPath)")
        }
        var tlsKey: P256.Signing.PrivateKey?
        if request.role.hasCertificate {
            let keyPath = directory + "/" + KeyLayout.privateKey
            let (key, _) = try NodeKeyFiles.tlsKey(path: keyPath)
            guard key.publicKey.derRepresentation.base64EncodedString() == request.tlsPublicKey else {
                throw FederationKeysError.mismatch(path: keyPath, reason: "this TLS key is not the one in \(requestPath)")
            }
            tlsKey = key
        }
        return OwnNodeKeys(directory: directory, id: request.id, role: request.role, tlsKey: tlsKey,
                           signingKey: signingKey, sealingKey: sealingKey)
    }
}

/// `tessera keys install`: puts a node's certificate, the signed manifest and optionally the
/// Paillier dealing beside its secrets, after checking that they are this node's.
public enum NodeInstall {
    public struct Result: Sendable {
        public let id: String
        public let role: NodeRole
        public let written: [String]
        /// This node's Paillier share index, if a dealing was installed and it is a holder.
        public let shareIndex: Int?
        public let manifest: FederationManifest
    }

    /// Checks, in order: the node's own keys; the manifest (CA signature, contents; and, on
    /// a re-install, the same CA as the installed ca.pem); that the manifest lists this node
    /// with its own signing and sealing keys and role; the certificate (issued by the
    /// manifest's CA, for this node's TLS key, CN = id, the fingerprint the manifest lists);
    /// the dealing (dealer's signature, epoch, and this node's sealed share opens with its
    /// sealing key and matches its verification key). Writes nothing unless all pass.
    @discardableResult
    public static func install(keys directory: String, certificate certificatePath: String?, manifest manifestPath: String,
                               dealing dealingPath: String? = nil) throws -> Result {
        let own = try OwnNodeKeys.load(directory: directory)
        let manifest = try FederationManifest.load(path: manifestPath)
        let (ca, caDER) = try manifest.caCertificateParsed(path: manifestPath)
        let installedCA = directory + "/" + KeyLayout.caCertificate
        if FileManager.default.fileExists(atPath: installedCA) {
            let (_, _, der) = try FederationKeys.readCertificate(installedCA)
            guard der == caDER else {
                throw EnrollmentError.refused(path: manifestPath, reason:
                    "the manifest is signed by CA \(manifest.caFingerprint), but this node is enrolled with CA \(FederationKeys.fingerprint(ofDER: der)) (\(installedCA))")
            }
        }
        guard let member = manifest.member(own.id) else {
            throw EnrollmentError.refused(path: manifestPath, reason: "the manifest does not list this node (\(own.id))")
        }
        guard member.role == own.role else {
            throw EnrollmentError.refused(path: manifestPath, reason: "the manifest lists \(own.id) as \(member.role.rawValue), this node requested \(own.role.rawValue)")
        }
        guard member.signingKey == own.signingKey.verifyingKey else {
            throw EnrollmentError.refused(path: manifestPath, reason:
                "the manifest's signingKey for \(own.id) is \(member.signingKey), not this node's \(own.signingKey.verifyingKey)")
        }
        guard member.sealingKey == own.sealingKey.publicKey else {
            throw EnrollmentError.refused(path: manifestPath, reason:
                "the manifest's sealingKey for \(own.id) is \(member.sealingKey), not this node's \(own.sealingKey.publicKey)")
        }
        var files: [(String, Data)] = []
        if own.role.hasCertificate {
            guard let certificatePath else {
                throw EnrollmentError.refused(path: directory, reason: "a \(own.role.rawValue) needs its certificate: pass --certificate")
            }
            let (pem, certificate, der) = try FederationKeys.readCertificate(certificatePath)
            guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
                throw EnrollmentError.refused(path: certificatePath, reason: "the certificate is not issued by the manifest's CA (\(manifest.caFingerprint))")
            }
            guard let tlsKey = own.tlsKey, certificate.publicKey == Certificate.PublicKey(tlsKey.publicKey) else {
                throw EnrollmentError.refused(path: certificatePath, reason:
                    "the certificate is for another key than this node's TLS key (\(directory)/\(KeyLayout.privateKey)): it is another node's certificate")
            }
            let fingerprint = FederationKeys.fingerprint(ofDER: der)
            guard fingerprint == member.certFingerprint else {
                throw EnrollmentError.refused(path: certificatePath, reason:
                    "certificate fingerprint \(fingerprint) differs from the manifest's certFingerprint \(member.certFingerprint ?? "none") for \(own.id)")
            }
            guard (try? FederationKeys.commonName(ofDER: der)) == own.id else {
                throw EnrollmentError.refused(path: certificatePath, reason: "the certificate's common name is not \(own.id)")
            }
            files.append((KeyLayout.certificate, Data(pem.utf8)))
        } else if let certificatePath {
            throw EnrollmentError.refused(path: certificatePath, reason: "a dealer has no certificate: omit --certificate")
        }
        files.append((KeyLayout.caCertificate, Data(X509Support.ensureNewline(manifest.caCertificate).utf8)))
        var shareIndex: Int?
        if let dealingPath {
            let dealing = try PaillierDealing.read(path: dealingPath)
            let key = try dealing.verify(against: manifest, path: dealingPath)
            if own.role == .participant, let share = try dealing.openShare(for: own.id, with: own.sealingKey, key: key, path: dealingPath,
                                                                            keyPath: directory + "/" + KeyLayout.sealingKey) {
                shareIndex = share.index
            }
            files.append((KeyLayout.dealing, try FileBytes.read(dealingPath)))
        }
        files.append((KeyLayout.manifest, try FileBytes.read(manifestPath)))

        // A dealing installed earlier for another manifest no longer applies.
        let installedDealing = directory + "/" + KeyLayout.dealing
        if dealingPath == nil, FileManager.default.fileExists(atPath: installedDealing),
           (try? PaillierDealing.read(path: installedDealing).epoch) != (try manifest.epoch.hex) {
            try KeyFileWriter.remove(installedDealing)
        }
        for (name, data) in files { try KeyFileWriter.write(data, to: directory + "/" + name, secret: false) }
        return Result(id: own.id, role: own.role, written: files.map(\.0), shareIndex: shareIndex, manifest: manifest)
    }
}
