/// The per-field validation rules of `OrderRecord`, on raw UTF-8 bytes so that every source
/// applies the same rules and the CSV hot path allocates only for identifiers longer than 15
/// bytes (Swift stores shorter strings inline). Each function returns the value or the problem.
enum OrderValidation {
    static let categoryBytes = Taxonomy.categories.map { Array($0.utf8) }
    static let regionBytes = Taxonomy.regions.map { Array($0.utf8) }
    static let channelBytes = Taxonomy.channels.map { Array($0.utf8) }

    enum Outcome<Value> {
        case ok(Value)
        case invalid(String)
    }

    static func quoted(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self).debugDescription }

    /// customer_id, order_id: 1-64 characters, no quotes (commas cannot occur in a CSV field).
    static func identifier(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<String> {
        var ascii = true
        for c in b {
            if c == 34 { return .invalid("must be 1-64 characters without quotes") }
            if c >= 128 { ascii = false }
        }
        let s = String(decoding: b, as: UTF8.self)
        let length = ascii ? b.count : s.count
        guard length >= 1, length <= 64 else { return .invalid("must be 1-64 characters without quotes") }
        return .ok(s)
    }

    static func timestamp(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<Int64> {
        if let t = ISO8601.parse(bytes: b) { return .ok(t) }
        return .invalid("\(quoted(b)) is not YYYY-MM-DDTHH:MM:SSZ")
    }

    static let amountProblem = "is not an amount in 0...1000000 with at most 2 decimals"

    /// A decimal `D+[.D{1,2}]`, 0 ≤ amount ≤ 1,000,000, in cents.
    static func amount(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<Int64> {
        var whole: Int64 = 0, digits = 0, i = 0
        while i < b.count, b[i] != 46 {
            let d = b[i] &- 48
            guard d < 10 else { return .invalid("\(quoted(b)) \(amountProblem)") }
            whole = whole * 10 + Int64(d)
            digits += 1
            if whole > 1_000_000 { return .invalid("\(quoted(b)) \(amountProblem)") }
            i += 1
        }
        guard digits > 0 else { return .invalid("\(quoted(b)) \(amountProblem)") }
        var cents = whole * 100
        if i < b.count {  // b[i] is the point
            let fraction = b.count - i - 1
            guard fraction == 1 || fraction == 2 else { return .invalid("\(quoted(b)) \(amountProblem)") }
            var v: Int64 = 0
            for j in (i + 1)..<b.count {
                let d = b[j] &- 48
                guard d < 10 else { return .invalid("\(quoted(b)) \(amountProblem)") }
                v = v * 10 + Int64(d)
            }
            cents += fraction == 1 ? v * 10 : v
        }
        return cents <= 100_000_000 ? .ok(cents) : .invalid("\(quoted(b)) \(amountProblem)")
    }

    /// An amount stored as a number (SQLite INTEGER or REAL): the same range, and a REAL must be
    /// a whole number of cents to within 1e-6 cent (binary doubles cannot hold 0.1 exactly).
    static func amount(_ x: Double) -> Outcome<Int64> {
        let c = (x * 100).rounded()
        guard x.isFinite, x >= 0, c <= 100_000_000, abs(x * 100 - c) <= 1e-6 else {
            return .invalid("\(x) \(amountProblem)")
        }
        return .ok(Int64(c))
    }

    static func currency(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<String> {
        guard b.count == 3, b.allSatisfy({ (65...90).contains($0) }) else { return .invalid("\(quoted(b)) is not an ISO 4217 code") }
        return .ok(String(decoding: b, as: UTF8.self))
    }

    /// Returns the taxonomy's own string (no allocation).
    static func member(_ b: UnsafeBufferPointer<UInt8>, of names: [[UInt8]], values: [String]) -> String? {
        for (k, name) in names.enumerated() where name.count == b.count && name.elementsEqual(b) { return values[k] }
        return nil
    }

    static func category(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<String> {
        if let v = member(b, of: categoryBytes, values: Taxonomy.categories) { return .ok(v) }
        return .invalid("\(quoted(b)) is not in the taxonomy")
    }

    static func region(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<String> {
        if let v = member(b, of: regionBytes, values: Taxonomy.regions) { return .ok(v) }
        return .invalid("\(quoted(b)) is not in the taxonomy")
    }

    static func channel(_ b: UnsafeBufferPointer<UInt8>) -> Outcome<String> {
        if let v = member(b, of: channelBytes, values: Taxonomy.channels) { return .ok(v) }
        return .invalid("\(quoted(b)) is not web, app or store")
    }
}
