import Foundation
import TesseraCrypto

/// The bytes that Tessera signs for a JSON document (enrollment request, manifest, dealing):
/// the object without its "signature" field, keys sorted, no whitespace, "/" not escaped.
/// For our content (ASCII strings, integers, arrays, objects) that is RFC 8785 (JCS); any
/// other content is refused rather than canonicalised differently from another implementation.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = [UInt8](try encoder.encode(value))
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw CanonicalJSONError.notASCII
        }
        // Numbers must be integers (RFC 8785 would need the ECMAScript form of a float).
        var inString = false, escaped = false, previous: UInt8 = 0
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == 0x5c { escaped = true } else if b == 0x22 { inString = false }
            } else if b == 0x22 {
                inString = true
            } else if (b == 0x2e || b == 0x65 || b == 0x45), (0x30...0x39).contains(previous) {
                throw CanonicalJSONError.notInteger
            }
            previous = b
        }
        return bytes
    }
}

public enum CanonicalJSONError: Error, CustomStringConvertible {
    case notASCII, notInteger
    public var description: String {
        switch self {
        case .notASCII: return "signed JSON must be printable ASCII"
        case .notInteger: return "signed JSON may hold integers only"
        }
    }
}

/// Refuses fields a reader does not know, naming them, so that nothing unsigned or
/// misunderstood rides along in a signed document.
enum JSONFields {
    static func check(_ data: Data, allowed: Set<String>, nested: [String: Set<String>] = [:], path: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KeyFileError.notJSON(path: path)
        }
        if let unknown = Set(object.keys).subtracting(allowed).sorted().first {
            throw KeyFileError.invalidMaterial(path: path, reason: "unknown field \(unknown.debugDescription)")
        }
        for (field, keys) in nested {
            let items: [Any]
            if let array = object[field] as? [Any] { items = array } else if let one = object[field] { items = [one] } else { continue }
            for case let item as [String: Any] in items {
                if let unknown = Set(item.keys).subtracting(keys).sorted().first {
                    throw KeyFileError.invalidMaterial(path: path, reason: "unknown field \(field).\(unknown)")
                }
            }
        }
    }
}
