import Foundation

/// A released result table, e.g. the noised segment profile.
public struct ResultTable: Codable, Sendable, Equatable {
    public var title: String
    public var columns: [String]
    public var rows: [[TableCell]]

    public init(title: String, columns: [String], rows: [[TableCell]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}

/// One cell: text or a number, an optional ± error (e.g. the noise's standard
/// deviation), and whether the cell was suppressed (below the minimum noised count).
/// A suppressed cell is shown greyed; callers should not put unreleased values in it.
public struct TableCell: Codable, Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
    }
    public var value: Value
    public var error: Double?
    public var suppressed: Bool

    public init(_ value: Value, error: Double? = nil, suppressed: Bool = false) {
        self.value = value
        self.error = error
        self.suppressed = suppressed
    }

    public static func text(_ s: String) -> TableCell { TableCell(.text(s)) }
    public static func number(_ x: Double, error: Double? = nil, suppressed: Bool = false) -> TableCell {
        TableCell(.number(x), error: error, suppressed: suppressed)
    }

    // {"text": …} or {"number": …}: unambiguous, unlike a bare string-or-number.
    private enum CodingKeys: String, CodingKey { case text, number, error, suppressed }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let s = try c.decodeIfPresent(String.self, forKey: .text) {
            value = .text(s)
        } else {
            value = .number(try c.decode(Double.self, forKey: .number))
        }
        error = try c.decodeIfPresent(Double.self, forKey: .error)
        suppressed = try c.decodeIfPresent(Bool.self, forKey: .suppressed) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch value {
        case .text(let s): try c.encode(s, forKey: .text)
        case .number(let x): try c.encodeRounded(x, forKey: .number)
        }
        if let error { try c.encodeRounded(error, forKey: .error) }
        if suppressed { try c.encode(true, forKey: .suppressed) }
    }
}
