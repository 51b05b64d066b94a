import Foundation
import Testing
@testable import TesseraReport

@Suite struct SampleOutputTests {
    /// Writes the sample's report.json and report.html to <tmp>/tessera-report-sample/
    /// (for looking at in a browser) and reads both back from disk.
    @Test func writesSampleFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-report-sample")
        let report = SampleReport.make()
        let files = try report.write(to: dir)
        #expect(try RunReport(jsonData: Data(contentsOf: files.json)) == report)
        #expect(try String(contentsOf: files.html, encoding: .utf8) == report.html())
    }
}
