import Foundation

/// One row of a partner's order data (docs: README "Partner data").
///
/// CSV columns, in this order, with a header row:
/// `customer_id,order_id,timestamp,amount,currency,category,region,channel`
/// - customer_id, order_id: non-empty, at most 64 characters, no commas or quotes
/// - timestamp: ISO-8601 UTC, `YYYY-MM-DDTHH:MM:SSZ`
/// - amount: a decimal with at most two fraction digits, 0 ≤ amount ≤ 1,000,000
/// - currency: three upper-case letters (ISO 4217)
/// - category, region: one of the federation's taxonomy values (`Taxonomy`)
/// - channel: `web`, `app` or `store`
public struct OrderRecord: Sendable, Hashable {
    public var customerID: String
    public var orderID: String
    /// Seconds since 1970-01-01T00:00:00Z.
    public var timestamp: Int64
    /// Amount in cents.
    public var amountCents: Int64
    public var currency: String
    public var category: String
    public var region: String
    public var channel: String

    public init(customerID: String, orderID: String, timestamp: Int64, amountCents: Int64, currency: String,
                category: String, region: String, channel: String) {
        self.customerID = customerID
        self.orderID = orderID
        self.timestamp = timestamp
        self.amountCents = amountCents
        self.currency = currency
        self.category = category
        self.region = region
        self.channel = channel
    }

    public static let header = "customer_id,order_id,timestamp,amount,currency,category,region,channel"
    public static let columns = header.split(separator: ",").map(String.init)

    public var csvLine: String {
        let cents = amountCents % 100
        return "\(customerID),\(orderID),\(ISO8601.format(timestamp)),\(amountCents / 100).\(cents < 10 ? "0" : "")\(cents),\(currency),\(category),\(region),\(channel)"
    }
}

/// The shared taxonomy of categories, regions and channels.
public enum Taxonomy {
    public static let categories = ["apparel", "beauty", "electronics", "grocery", "home", "sports", "toys"]
    public static let regions = ["north", "south", "east", "west", "central"]
    public static let channels = ["web", "app", "store"]

    /// Index of a category in `categories` (a linear scan over 7 short strings).
    @inlinable public static func categoryIndex(_ name: String) -> Int? { categories.firstIndex(of: name) }
    @inlinable public static func regionIndex(_ name: String) -> Int? { regions.firstIndex(of: name) }
}

/// ISO-8601 UTC timestamps without Foundation's locale-dependent formatters.
public enum ISO8601 {
    public static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ v: Int64, _ at: Int, _ width: Int) {
            var v = v
            for i in stride(from: at + width - 1, through: at, by: -1) { bytes[i] = UInt8(48 + v % 10); v /= 10 }
        }
        put(y, 0, 4); put(m, 5, 2); put(d, 8, 2); put(rest / 3600, 11, 2); put((rest % 3600) / 60, 14, 2); put(rest % 60, 17, 2)
        bytes[4] = 45; bytes[7] = 45; bytes[10] = 84; bytes[13] = 58; bytes[16] = 58; bytes[19] = 90
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func parse(_ text: Substring) -> Int64? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` from raw bytes (the readers' hot path: no allocation).
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 90 else { return nil }
        func num(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r { guard (48...57).contains(b[i]) else { return nil }; v = v * 10 + Int64(b[i] - 48) }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60 else { return nil }
        let days = self.days(fromCivil: y, mo, d)
        guard civil(fromDays: days) == (y, mo, d) else { return nil }  // e.g. 2023-02-30
        return days * 86_400 + h * 3600 + mi * 60 + s
    }

    /// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
