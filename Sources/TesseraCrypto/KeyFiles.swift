import Foundation
import TesseraCrypto
import TesseraMath

/// On-disk formats of Paillier key material (JSON, lowercase big-endian hex; see
/// protocol/README.md). Loading validates everything and names what is wrong; a truncated
/// or corrupted file never yields a key.
public enum KeyFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case notJSON(path: String)
    case wrongFormat(path: String, expected: String, found: String)
    case missingOrInvalidField(path: String, field: String)
    case invalidMaterial(path: String, reason: String)
    /// A secret file that its group or others may read or write (as ssh refuses a private key).
    case insecureMode(path: String, mode: Int)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "key file \(p): cannot read: \(r)"
        case .notJSON(let p): return "key file \(p): truncated or not JSON"
        case .wrongFormat(let p, let e, let f): return "key file \(p): format is \(f.debugDescription), expected \(e.debugDescription)"
        case .missingOrInvalidField(let p, let f): return "key file \(p): field \(f.debugDescription) is missing or invalid"
        case .invalidMaterial(let p, let r): return "key file \(p): \(r)"
        case .insecureMode(let p, let m):
            return "\(p): mode \(KeyFiles.octal(m)) lets others read or write this secret; run chmod 600 \(p)"
        }
    }
}

public struct ThresholdKeyFile: Codable, Sendable {
    public static let format = "tessera/threshold-paillier-public-key/v1"
    public var format: String
    public var warning: String?
    public var keyID: String
    public var n: BigInt
    public var h: BigInt
    public var threshold: Int
    public var shareCount: Int
    public var verificationBase: BigInt
    public var verificationKeys: [BigInt]

    public init(_ key: ThresholdPublicKey, warning: String? = nil) {
        format = Self.format
        self.warning = warning
        keyID = key.id.description
        n = key.paillier.n
        h = key.paillier.h
        threshold = key.threshold
        shareCount = key.shareCount
        verificationBase = key.verificationBase
        verificationKeys = key.verificationKeys
    }

    public func publicKey(path: String = "<memory>") throws -> ThresholdPublicKey {
        do {
            let paillier = try PaillierPublicKey(n: n, h: h)
            guard paillier.id.description == keyID else {
                throw KeyFileError.invalidMaterial(path: path, reason: "key id \(keyID) does not match the key material (\(paillier.id))")
            }
            return try ThresholdPublicKey(paillier: paillier, threshold: threshold, shareCount: shareCount,
                                          verificationBase: verificationBase, verificationKeys: verificationKeys)
        } catch let error as PaillierError {
            throw KeyFileError.invalidMaterial(path: path, reason: error.description)
        }
    }
}

public struct KeyShareFile: Codable, Sendable {
    public static let format = "tessera/threshold-paillier-key-share/v1"
    public var format: String
    public var warning: String?
    public var keyID: String
    public var index: Int
    public var secret: BigInt

    public init(_ share: KeyShare, keyID: KeyID, warning: String? = nil) {
        format = Self.format
        self.warning = warning
        self.keyID = keyID.description
        index = share.index
        secret = share.secretForStorage
    }

    public func share(for key: ThresholdPublicKey, path: String = "<memory>") throws -> KeyShare {
        guard keyID == key.id.description else {
            throw KeyFileError.invalidMaterial(path: path, reason: "share belongs to key \(keyID), not to key \(key.id)")
        }
        do {
            return try KeyShare(index: index, secret: secret, publicKey: key)
        } catch let error as PaillierError {
            throw KeyFileError.invalidMaterial(path: path, reason: error.description)
        }
    }
}

public enum KeyFiles {
    /// Decodes a key file, mapping every decoding failure to a named `KeyFileError`.
    public static func decode<T: Codable>(_ type: T.Type, from data: Data, path: String, format: String) throws -> T {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KeyFileError.notJSON(path: path)
        }
        let found = object["format"] as? String ?? "<none>"
        guard found == format else { throw KeyFileError.wrongFormat(path: path, expected: format, found: found) }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw KeyFileError.missingOrInvalidField(path: path, field: key.stringValue)
        } catch DecodingError.dataCorrupted(let context) {
            throw KeyFileError.missingOrInvalidField(path: path, field: context.codingPath.map(\.stringValue).joined(separator: "."))
        } catch DecodingError.typeMismatch(_, let context) {
            throw KeyFileError.missingOrInvalidField(path: path, field: context.codingPath.map(\.stringValue).joined(separator: "."))
        } catch DecodingError.valueNotFound(_, let context) {
            throw KeyFileError.missingOrInvalidField(path: path, field: context.codingPath.map(\.stringValue).joined(separator: "."))
        }
    }

    public static func read<T: Codable>(_ type: T.Type, path: String, format: String) throws -> T {
        let data: Data
        do { data = try FileBytes.read(path) } catch {
            throw KeyFileError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try decode(type, from: data, path: path, format: format)
    }

    public static func loadThresholdKey(path: String) throws -> ThresholdPublicKey {
        try read(ThresholdKeyFile.self, path: path, format: ThresholdKeyFile.format).publicKey(path: path)
    }

    public static func loadShare(path: String, for key: ThresholdPublicKey) throws -> KeyShare {
        try read(KeyShareFile.self, path: path, format: KeyShareFile.format).share(for: key, path: path)
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// Reads a secret file, refusing it (`insecureMode`, naming the file and its mode) when any
    /// group or other permission bit is set, as ssh refuses a private key that others can read:
    /// such a file may already have been read or replaced by someone else.
    public static func readSecret(path: String) throws -> Data {
        try checkSecretMode(path: path)
        do { return try FileBytes.read(path) } catch {
            throw KeyFileError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Throws `insecureMode` if `path` (followed through symbolic links) has a group or other
    /// permission bit set (mode & 0o077 ≠ 0), `unreadable` if it cannot be examined.
    public static func checkSecretMode(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw KeyFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw KeyFileError.unreadable(path: path, reason: "not a regular file")
        }
        let mode = Int(info.st_mode & 0o7777)
        guard mode & 0o077 == 0 else { throw KeyFileError.insecureMode(path: path, mode: mode) }
    }

    /// A mode as four octal digits ("0644").
    public static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Writes a file readable only by its owner: created with O_EXCL and mode 0600 from the
    /// start (replacing an existing file), so it is never readable by others, even briefly.
    public static func writeSecret(_ data: Data, to path: String) throws {
        func fail() -> KeyFileError { .unreadable(path: path, reason: "cannot create: " + String(cString: strerror(errno))) }
        if unlink(path) != 0 && errno != ENOENT { throw fail() }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw fail() }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw fail() }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw fail() }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw fail() }
    }
}
