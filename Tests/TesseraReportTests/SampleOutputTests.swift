import Foundation
import Testing
@testable import TesseraReport

@Suite struct SampleOutputTests {
    /// Writes the sample's report.json and report.html to <tmp>/tessera-report-sample/
    /// (for looking at in a browser) and reads the JSON back from disk.
    @Test func writesSampleFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-report-sample")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let report = SampleReport.make()
        try report.jsonData().write(to: dir.appendingPathComponent("report.json"))
        try Data(report.html().utf8).write(to: dir.appendingPathComponent("report.html"))
        let back = try RunReport(jsonData: Data(contentsOf: dir.appendingPathComponent("report.json")))
        #expect(back == report)
    }
}
