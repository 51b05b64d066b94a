import Foundation

/// How figures are written for people (the JSON keeps full values).
enum Format {
    static let minus = "\u{2212}"

    /// A general figure: integers grouped by thousands; others to 4 significant
    /// digits (1 decimal from 1000 up); very small or very large in powers of ten.
    static func number(_ x: Double, significant: Int = 4) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "∞" : "\(minus)∞" }
        if x == 0 { return "0" }
        let a = abs(x)
        let sign = x < 0 ? minus : ""
        if a >= 1e15 || a < 1e-4 { return sign + scientific(a, significant: 3) }
        if a == a.rounded() { return sign + grouped(String(format: "%.0f", a)) }
        let magnitude = Int(floor(log10(a)))
        let decimals = a >= 1000 ? 1 : max(0, significant - 1 - magnitude)
        return sign + grouped(trimZeros(String(format: "%.\(decimals)f", a)))
    }

    /// e.g. 1.5×10⁻⁶.
    static func scientific(_ a: Double, significant: Int) -> String {
        let parts = String(format: "%.\(max(0, significant - 1))e", a).split(separator: "e")
        let mantissa = trimZeros(String(parts[0]))
        let exponent = Int(parts[1]) ?? 0
        return "\(mantissa)×10\(superscript(exponent))"
    }

    static func superscript(_ n: Int) -> String {
        let digits = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let body = String(abs(n)).map { digits[Int(String($0))!] }.joined()
        return (n < 0 ? "⁻" : "") + body
    }

    static func integer(_ n: Int) -> String {
        (n < 0 ? minus : "") + grouped(String(n.magnitude))
    }

    /// Bytes in binary units.
    static func bytes(_ n: Double) -> String {
        guard n.isFinite else { return number(n) }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = abs(n)
        var i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        let sign = n < 0 ? minus : ""
        if i == 0 { return "\(sign)\(Int(v)) B" }
        return sign + trimZeros(String(format: v >= 100 ? "%.0f" : "%.1f", v)) + " " + units[i]
    }

    static func seconds(_ s: Double) -> String {
        guard s.isFinite else { return number(s) }
        let a = abs(s)
        let sign = s < 0 ? minus : ""
        if a == 0 { return "0 s" }
        if a < 1e-3 { return sign + trimZeros(String(format: "%.0f", a * 1e6)) + " µs" }
        if a < 1 { return sign + trimZeros(String(format: a < 0.01 ? "%.2f" : "%.0f", a * 1e3)) + " ms" }
        if a < 60 { return sign + trimZeros(String(format: a < 10 ? "%.2f" : "%.1f", a)) + " s" }
        let minutes = Int(a / 60)
        if minutes < 60 { return sign + "\(minutes) min \(Int(a) % 60) s" }
        return sign + "\(minutes / 60) h \(minutes % 60) min"
    }

    /// Drops trailing zeros after a decimal point: "1.500" → "1.5", "2.0" → "2".
    static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// Thousands separators in the integer part of a plain decimal string.
    static func grouped(_ s: String) -> String {
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0])
        guard whole.count > 3 else { return s }
        var out = ""
        for (i, ch) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return parts.count == 2 ? out + "." + parts[1] : out
    }
}
