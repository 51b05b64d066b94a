import Foundation
import Testing
import TesseraTransport

/// The load and soak commands at small sizes, as a user runs them: the same code paths as
/// the 1,000-participant and 200-job figures in the README, with their checks (released sums
/// against plaintext sums, every virtual node its own enrolled identity and session).
@Suite(.serialized) struct LoadCommandTests {
    func runJSON(_ args: [String], timeout: Double) async throws -> [String: Any] {
        let dir = try temporaryDirectory()
        let p = try NodeProcess("tessera", args, in: dir, name: "tessera")
        let status = try await p.waitForExit(timeout: timeout)
        let out = p.output
        #expect(status == 0, "\(out.suffix(2000))")
        guard let start = out.range(of: "\n{\n") ?? out.range(of: "{\n"),
              let object = try JSONSerialization.jsonObject(with: Data(out[start.lowerBound...].utf8)) as? [String: Any] else {
            throw TestFailure("no JSON in the output: \(out.suffix(2000))")
        }
        return object
    }

    /// Twelve virtual participants in three swarm processes, three key holders: the
    /// coordinator sees twelve sessions of twelve identities, sends each holder the key layers
    /// in parts of 60 KB (as it must past ~600 contributors at the default 8 MiB), and
    /// releases the exact sums.
    @Test func loadRoundWithVirtualParticipantsIsExact() async throws {
        let object = try await runJSON(["bench", "load", "--participants", "4,12", "--values", "40", "--committee", "3",
                                        "--processes", "3", "--part-bytes", "60000", "--json"], timeout: 600)
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["participants"] as? Int } == [4, 12])
        for row in rows {
            #expect(row["exact"] as? Bool == true)
            #expect(row["holders"] as? Int == 3)
            #expect((row["round_seconds"] as? Double ?? 0) > 0)
            #expect((row["coordinator_peak_rss_bytes"] as? Double ?? 0) > 1_000_000, "the coordinator reports its peak RSS")
            #expect((row["coordinator_cpu_seconds"] as? Double ?? 0) > 0)
            // Every participant sent its submission: at least the 40 masked words of 8 bytes.
            #expect((row["bytes_up_per_participant"] as? Double ?? 0) > 320)
        }
        // Each holder's request went in parts of at most 60 KB: more messages than holders.
        #expect((rows[1]["decryption_request_messages"] as? Double ?? 0) > 3 * 3, "\(rows[1])")
        // Twelve participants' submissions reach the coordinator: three times four's bytes, give or take the DKG's share.
        let ratio = (rows[1]["coordinator_bytes_in"] as? Double ?? 0) / (rows[0]["coordinator_bytes_in"] as? Double ?? 1)
        #expect(ratio > 2.5 && ratio < 3.5, "coordinator bytes in grew ×\(ratio) for ×3 participants")
    }

    /// Jobs back to back through the API on one coordinator, both schemes: every result exact,
    /// and the figures the soak reports (memory, open files, state size) are there.
    @Test func soakRunsJobsBackToBackWithExactResults() async throws {
        let object = try await runJSON(["bench", "soak", "--jobs", "6", "--participants", "3", "--values", "20", "--json"], timeout: 600)
        #expect(object["jobs"] as? Int == 6)
        let rss = try #require(object["coordinator_rss_bytes"] as? [String: Any])
        #expect((rss["end"] as? Int ?? 0) > 1_000_000)
        let files = try #require(object["coordinator_open_files"] as? [String: Any])
        // Three participant sessions and the store stay open; nothing accumulates per job.
        #expect((files["end"] as? Int ?? 999) <= (files["warm"] as? Int ?? 0) + 3, "\(files)")
        let state = try #require(object["coordinator_state_bytes"] as? [String: Any])
        #expect((state["end"] as? Int ?? 0) >= (state["start"] as? Int ?? 0))
    }

    /// This process's figures as the metrics report them: memory, peak, files, CPU.
    @Test func processFiguresReadThisProcess() throws {
        let before = try #require(ProcessFigures.now())
        #expect(before.residentBytes > 0 && before.peakResidentBytes >= before.residentBytes)
        // Other suites open and close files meanwhile: 500 of ours stand out of that noise.
        let fds = (0..<500).map { _ in open("/dev/null", O_RDONLY) }
        defer { for fd in fds { close(fd) } }
        #expect(fds.allSatisfy { $0 >= 0 })
        let after = try #require(ProcessFigures.now())
        #expect(after.openFiles - before.openFiles > 400, "\(before.openFiles) → \(after.openFiles)")
        var x = 0.0
        for i in 0..<3_000_000 { x += Double(i).squareRoot() }
        let later = try #require(ProcessFigures.now())
        #expect(x > 0 && later.cpuSeconds > 0)
        let text = Metrics().exposition()
        #expect(text.contains("tessera_process_peak_resident_bytes") && text.contains("tessera_process_open_files"))
    }
}
