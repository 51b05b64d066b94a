import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses markup as XML and records its elements, so tests can check both
/// well-formedness and structure.
final class XMLCheck: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
    }
    private(set) var elements: [Element] = []
    private(set) var text = ""
    private(set) var error: String?

    static func parse(_ markup: String) -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(markup.utf8))
        parser.delegate = check
        if !parser.parse() {
            check.error = check.error ?? parser.parserError.map { "\($0)" } ?? "parse failed"
        }
        return check
    }

    var ok: Bool { error == nil }

    func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributeDict))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = "line \(parser.lineNumber) column \(parser.columnNumber): \(parseError)"
    }
}
