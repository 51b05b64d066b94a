import Foundation

/// How a double is rounded before it is written to report.json: enough digits for
/// any figure the report carries, few enough that binary noise such as
/// 0.30000000000000004 does not reach the file (or a diff of two runs).
enum JSONRounding {
    /// 10 significant digits.
    case significant
    /// Whole microseconds.
    case seconds

    func apply(_ x: Double) -> Double {
        guard x.isFinite else { return x }
        let text: String
        switch self {
        case .significant: text = String(format: "%.9e", x)
        case .seconds: text = String(format: "%.6f", x)
        }
        let r = Double(text) ?? x
        return r == 0 ? 0 : r  // no "-0" in the file
    }
}

extension KeyedEncodingContainer {
    mutating func encodeRounded(_ x: Double, forKey key: Key, _ rounding: JSONRounding = .significant) throws {
        try encode(rounding.apply(x), forKey: key)
    }
}

/// Spelling of non-finite doubles, which JSON has no number for.
enum NonFinite {
    static let nan = "NaN"
    static let infinity = "Infinity"
    static let negativeInfinity = "-Infinity"
}

extension RunReport {
    /// report.json: sorted keys, pretty-printed, doubles rounded (see `JSONRounding`),
    /// NaN and ±∞ written as the strings "NaN", "Infinity", "-Infinity".
    /// The same report always yields the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: NonFinite.infinity, negativeInfinity: NonFinite.negativeInfinity, nan: NonFinite.nan)
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a report written by `jsonData()`.
    public init(jsonData data: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: NonFinite.infinity, negativeInfinity: NonFinite.negativeInfinity, nan: NonFinite.nan)
        self = try decoder.decode(RunReport.self, from: data)
    }
}
