import Foundation

extension RunReport {
    /// Writes report.json and report.html into `directory` (created if missing),
    /// each atomically, and returns their URLs.
    @discardableResult
    public func write(to directory: URL) throws -> (json: URL, html: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let json = directory.appendingPathComponent("report.json")
        let html = directory.appendingPathComponent("report.html")
        try jsonData().write(to: json, options: .atomic)
        try Data(self.html().utf8).write(to: html, options: .atomic)
        return (json, html)
    }
}
