import Foundation

/// PEM (RFC 7468) with 64-character base64 lines and LF line ends.
public enum PEM {
    public static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Data(der).base64EncodedString()
        var lines = ["-----BEGIN \(label)-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The DER of the single PEM block of `text`, which must carry `label`. Text outside the
    /// block is refused (a secret file holds exactly one key and nothing else).
    public static func decode(_ text: String, label: String) throws -> [UInt8] {
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count >= 2 else { throw PEMError.noBlock(expected: label) }
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard lines.first == begin else {
            let found = lines.first.map { $0.hasPrefix("-----BEGIN ") ? $0 : "text before the PEM block" } ?? "nothing"
            throw PEMError.wrongLabel(expected: label, found: found)
        }
        guard lines.last == end else { throw PEMError.malformed("the block does not end with \(end)") }
        let body = lines.dropFirst().dropLast().joined()
        guard !body.contains("-----"), let der = Data(base64Encoded: body) else {
            throw PEMError.malformed("the body between \(begin) and \(end) is not base64")
        }
        return [UInt8](der)
    }
}

public enum PEMError: Error, CustomStringConvertible, Equatable {
    case noBlock(expected: String)
    case wrongLabel(expected: String, found: String)
    case malformed(String)

    public var description: String {
        switch self {
        case .noBlock(let label): return "no PEM block (expected -----BEGIN \(label)-----)"
        case .wrongLabel(let label, let found): return "expected -----BEGIN \(label)-----, found \(found)"
        case .malformed(let why): return "malformed PEM: \(why)"
        }
    }
}

/// PKCS#8 `PrivateKeyInfo` (RFC 5208) for the two CFRG curves of RFC 8410 §7:
///
///     SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32 bytes) } }
///
/// with OID 1.3.101.112 (Ed25519: the RFC 8032 seed) or 1.3.101.110 (X25519: the RFC 7748
/// private scalar). The encoding is 48 bytes, of which the first 16 are the same for every
/// key of a curve. This is what `openssl genpkey -algorithm ed25519|x25519` writes.
public enum PKCS8 {
    public enum Curve: String, Sendable {
        case ed25519 = "Ed25519", x25519 = "X25519"
        var oidByte: UInt8 { self == .ed25519 ? 0x70 : 0x6e }
    }

    public static let label = "PRIVATE KEY"

    static func prefix(_ curve: Curve) -> [UInt8] {
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, curve.oidByte, 0x04, 0x22, 0x04, 0x20]
    }

    public static func encode(privateKey: [UInt8], curve: Curve) -> [UInt8] {
        precondition(privateKey.count == 32, "an RFC 8410 private key is 32 bytes")
        return prefix(curve) + privateKey
    }

    /// The 32-byte private key of a PKCS#8 DER encoding of `curve`.
    public static func decode(_ der: [UInt8], curve: Curve) throws -> [UInt8] {
        let expected = prefix(curve)
        guard der.count == 48, Array(der.prefix(16)) == expected else {
            let other: Curve = curve == .ed25519 ? .x25519 : .ed25519
            if der.count == 48, Array(der.prefix(16)) == prefix(other) {
                throw PEMError.malformed("this is an \(other.rawValue) key, expected an \(curve.rawValue) key")
            }
            throw PEMError.malformed("not an RFC 8410 PKCS#8 \(curve.rawValue) private key (48 bytes starting \(expected.hex))")
        }
        return Array(der.suffix(32))
    }

    public static func pem(privateKey: [UInt8], curve: Curve) -> String {
        PEM.encode(encode(privateKey: privateKey, curve: curve), label: label)
    }

    public static func privateKey(pem text: String, curve: Curve) throws -> [UInt8] {
        try decode(try PEM.decode(text, label: label), curve: curve)
    }
}
