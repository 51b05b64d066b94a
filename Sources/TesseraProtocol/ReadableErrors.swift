import Foundation
import TesseraCrypto

/// Errors a person meets reading a file, in plain words: which file, which field, what was
/// expected; never a decoder's debug dump (`DecodingError.keyNotFound(CodingKeys(...))`) or
/// Foundation's error domain and code.
public enum ReadableErrors {
    /// Reads and decodes the JSON file at `path`; `what` names it ("job file", "scenario").
    public static func decodeJSONFile<T: Decodable>(_ type: T.Type, path: String, what: String) throws -> T {
        try decodeJSON(type, from: try read(path, what: what), what: "\(what) \(path)")
    }

    /// Decodes JSON bytes; `what` names where they came from.
    public static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw FileError("\(what): \(describe(error))")
        }
    }

    /// The bytes of the file at `path`, or an error saying why it cannot be read.
    public static func read(_ path: String, what: String) throws -> Data {
        do { return try FileBytes.read(path) } catch {
            throw FileError("\(what) \(path): \(reading(error, path: path))")
        }
    }

    /// Why a file could not be read.
    public static func reading(_ error: any Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "is a directory, not a file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "cannot be read (\((error as NSError).localizedDescription))"
    }

    /// A decoding error as the field it concerns and what was expected there.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let (field, reason) = fieldAndReason(error)
        return field.isEmpty ? reason : "field `\(field)`: \(reason)"
    }

    /// The field path (`budget.epsilon`, `jobs[0].id`; empty for the whole document) and what
    /// is wrong with it.
    public static func fieldAndReason(_ error: DecodingError) -> (field: String, reason: String) {
        switch error {
        case .keyNotFound(let key, let c): return (path(c.codingPath + [key]), "missing")
        case .typeMismatch(let type, let c): return (path(c.codingPath), "expected \(name(of: type))")
        case .valueNotFound(let type, let c): return (path(c.codingPath), "expected \(name(of: type)), found null")
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty {
                let detail = (c.underlyingError as NSError?).flatMap { $0.userInfo[NSDebugDescriptionErrorKey] as? String }
                return ("", "not valid JSON" + (detail.map { " (\($0))" } ?? ""))
            }
            return (path(c.codingPath), c.debugDescription)
        @unknown default: return ("", "\(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce(into: "") { out, key in
            if let i = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(i)" { out += "[\(i)]" } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
    }

    static func name(of type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type, is UInt32.Type, is UInt8.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default:
            "\(type)".hasPrefix("Array") ? "a list" : "\(type)".hasPrefix("Dictionary") ? "an object" : "a \(type)"
        }
    }
}

/// A file or document that cannot be used, with the reason in plain words.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
