import Foundation

/// Any JSON value, so that job files can carry kind-specific parameters that are decoded once
/// the kind is known, over the kind's defaults (a job file names only what it changes).
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 0x1p53 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// `overlay` merged into `self`: objects key by key, recursively; anything else replaced.
    public func merging(_ overlay: JSONValue) -> JSONValue {
        guard case .object(var base) = self, case .object(let top) = overlay else { return overlay }
        for (key, value) in top { base[key] = base[key].map { $0.merging(value) } ?? value }
        return .object(base)
    }

    /// Decodes `T` from `overlay` laid over the encoding of `defaults`.
    public static func decode<T: Codable>(_ type: T.Type, overlay: JSONValue, defaults: T) throws -> T {
        let base = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(defaults))
        return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(base.merging(overlay)))
    }
}
