/// Builds markup that is at once valid HTML5 and well-formed XML (XHTML syntax:
/// every element closed, void elements self-closed, only the five XML entities),
/// so that tests can check it with an XML parser.
struct Markup {
    private(set) var text = ""

    /// Escapes text for element content and for double-quoted attribute values.
    /// Characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) become U+FFFD,
    /// so no caller-supplied string can make the document malformed.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    typealias Attributes = [(String, String)]

    private static func attributeText(_ attributes: Attributes) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    mutating func open(_ tag: String, _ attributes: Attributes = []) {
        text += "<\(tag)\(Self.attributeText(attributes))>"
    }

    mutating func close(_ tag: String) {
        text += "</\(tag)>"
    }

    /// An element with escaped text content.
    mutating func element(_ tag: String, _ attributes: Attributes = [], _ content: String) {
        text += "<\(tag)\(Self.attributeText(attributes))>\(Self.escape(content))</\(tag)>"
    }

    /// An element without content, self-closed.
    mutating func empty(_ tag: String, _ attributes: Attributes = []) {
        text += "<\(tag)\(Self.attributeText(attributes))/>"
    }

    mutating func content(_ s: String) {
        text += Self.escape(s)
    }

    /// Markup built by another `Markup` (already escaped).
    mutating func append(_ other: Markup) {
        text += other.text
    }

    /// Markup produced by this module's own writers (charts, the stylesheet); never caller text.
    mutating func raw(_ trusted: String) {
        text += trusted
    }

    mutating func newline() {
        text += "\n"
    }
}
