import Foundation
import TesseraCrypto

/// `signing.key` (mode 0600): a node's Ed25519 key as its RFC 8032 §5.1.5 seed, with the
/// public key so that a corrupted seed is caught on load.
public struct SigningKeyFile: Codable, Sendable {
    public static let format = "tessera/ed25519-signing-key/v1"
    public var format: String
    public var warning: String?
    public var id: String
    public var seed: String
    public var publicKey: VerifyingKey

    public init(id: String, key: SigningKey, warning: String? = nil) {
        format = Self.format
        self.warning = warning
        self.id = id
        seed = key.seedForStorage.hex
        publicKey = key.verifyingKey
    }

    /// The key, checked against the stored public key; errors name `path`.
    public func signingKey(path: String) throws -> SigningKey {
        guard let bytes = [UInt8](hex: seed), bytes.count == 32, let key = try? SigningKey(seed: bytes) else {
            throw KeyFileError.missingOrInvalidField(path: path, field: "seed")
        }
        guard key.verifyingKey == publicKey else {
            throw KeyFileError.invalidMaterial(path: path, reason: "seed does not give the stored public key")
        }
        return key
    }

    public static func load(path: String) throws -> (id: String, key: SigningKey) {
        guard FileManager.default.fileExists(atPath: path) else { throw FederationKeysError.missingFile(path: path) }
        let file = try KeyFiles.read(SigningKeyFile.self, path: path, format: format)
        return (file.id, try file.signingKey(path: path))
    }
}
