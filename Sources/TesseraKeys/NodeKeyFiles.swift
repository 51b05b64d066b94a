import Crypto
import Foundation
import TesseraCrypto
import TesseraRandom

/// What a federation member does (manifest `role`).
public enum NodeRole: String, Codable, Sendable, CaseIterable {
    /// A partner brand: contributes updates and, if it is a decryption holder, decrypts.
    case participant
    /// The platform: collects and aggregates; holds no decryption key.
    case coordinator
    /// Deals the threshold Paillier key (`tessera keys deal`); never connects, needs no certificate.
    case dealer
    /// Principals: people and services that use the coordinator's job API (protocol/access.md),
    /// never its participant port. Each names its organisation in the manifest.
    /// Runs the platform: cancels jobs, reads metrics and every ledger.
    case `operator`
    /// Proposes jobs and reads the results it is named a reader of.
    case analyst
    /// A brand's data steward: approves or rejects jobs on its brand's data, reads its ledger.
    case steward
    /// Reads job specs, ledgers and the transcript; verifies them with `tessera audit`.
    case auditor

    /// Whether the role connects over mutual TLS and so needs a certificate.
    public var hasCertificate: Bool { self != .dealer }

    /// Whether the role is a principal of the job API (and names an organisation).
    public var isPrincipal: Bool { [.operator, .analyst, .steward, .auditor].contains(self) }
}

/// A node's secret key material, generated at the node by `tessera keys request`.
public struct NodeKeyMaterial: Sendable, CustomStringConvertible {
    public let id: String
    public let role: NodeRole
    /// The TLS key (P-256); nil for the dealer.
    public let tlsKey: P256.Signing.PrivateKey?
    public let signingKey: SigningKey
    public let sealingKey: SealingPrivateKey

    public init(id: String, role: NodeRole, tlsKey: P256.Signing.PrivateKey?, signingKey: SigningKey, sealingKey: SealingPrivateKey) {
        self.id = id
        self.role = role
        self.tlsKey = tlsKey
        self.signingKey = signingKey
        self.sealingKey = sealingKey
    }

    public var description: String { "NodeKeyMaterial(\(id), \(role.rawValue), secrets redacted)" }

    /// The secret files' contents, by file name (see `KeyLayout`).
    func secretFiles() -> [(String, Data)] {
        var files: [(String, Data)] = []
        if let tlsKey { files.append((KeyLayout.privateKey, Data(TLSKeyFile.sec1PEM(tlsKey).utf8))) }
        files.append((KeyLayout.signingKey, Data(signingKey.pkcs8PEM.utf8)))
        files.append((KeyLayout.sealingKey, Data(sealingKey.pkcs8PEM.utf8)))
        return files
    }
}

/// The secret key files a node loads. Every one is refused when its group or others may
/// read or write it (`KeyFileError.insecureMode`, naming the file and the mode).
public enum NodeKeyFiles {
    public static func signingKey(path: String) throws -> SigningKey { try signingKey(try secretText(path), path: path) }
    public static func sealingKey(path: String) throws -> SealingPrivateKey { try sealingKey(try secretText(path), path: path) }
    public static func tlsKey(path: String) throws -> (P256.Signing.PrivateKey, String) { try tlsKey(try secretText(path), path: path) }

    /// The key in a signing-key file's text (`path` names it in errors).
    public static func signingKey(_ text: String, path: String) throws -> SigningKey {
        do { return try SigningKey(pkcs8PEM: text) } catch {
            throw FederationKeysError.badPEM(path: path, reason: "not an Ed25519 signing key in PKCS#8 PEM (\(error))")
        }
    }

    public static func sealingKey(_ text: String, path: String) throws -> SealingPrivateKey {
        do { return try SealingPrivateKey(pkcs8PEM: text) } catch {
            throw FederationKeysError.badPEM(path: path, reason: "not an X25519 sealing key in PKCS#8 PEM (\(error))")
        }
    }

    /// A P-256 key (SEC1 "EC PRIVATE KEY" as written here, or PKCS#8) and its PEM text.
    public static func tlsKey(_ text: String, path: String) throws -> (P256.Signing.PrivateKey, String) {
        do { return (try P256.Signing.PrivateKey(pemRepresentation: text), text) } catch {
            throw FederationKeysError.badPEM(path: path, reason: "not a P-256 private key (\(error))")
        }
    }

    /// A secret file's text after the mode check; a missing file is `missingFile`.
    public static func secretText(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw FederationKeysError.missingFile(path: path) }
        return try text(KeyFiles.readSecret(path: path), path: path)
    }

    /// A key file's bytes as text: refused (`badPEM`) unless UTF-8.
    public static func text(_ data: Data, path: String) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw FederationKeysError.badPEM(path: path, reason: "not UTF-8 text")
        }
        return text
    }
}

/// TLS private keys as SEC1 `ECPrivateKey` (RFC 5915) PEM, "EC PRIVATE KEY":
///
///     SEQUENCE { INTEGER 1, OCTET STRING d (32), [0] OID prime256v1, [1] BIT STRING 04‖x‖y }
///
/// Unlike PKCS#8, whose first 36 bytes are the same for every P-256 key, SEC1 starts
/// with the secret after 7 bytes, so that no two nodes' key files share a long prefix.
public enum TLSKeyFile {
    public static let label = "EC PRIVATE KEY"

    public static func sec1DER(_ key: P256.Signing.PrivateKey) -> [UInt8] {
        let d = [UInt8](key.rawRepresentation)
        let point = [UInt8](key.publicKey.x963Representation)
        precondition(d.count == 32 && point.count == 65)
        let curve: [UInt8] = [0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]
        let publicKey: [UInt8] = [0xa1, 0x44, 0x03, 0x42, 0x00] + point
        let body: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20] + d + curve + publicKey
        return [0x30, UInt8(body.count)] + body
    }

    public static func sec1PEM(_ key: P256.Signing.PrivateKey) -> String { PEM.encode(sec1DER(key), label: label) }
}
