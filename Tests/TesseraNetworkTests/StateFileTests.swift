import Foundation
import Testing
import TesseraState

/// State files a node cannot use: corrupt, on a full disk, on a read-only file system. Each is
/// refused at start-up with the file and the cause named, and nothing is written to it; once
/// the cause is gone the same file works and passes SQLite's integrity check. The disk cases
/// mount a small tmpfs, so they need root (they are skipped, saying so, without it).
@Suite(.serialized) struct StateFileTests {
    static let canMount: Bool = {
        guard getuid() == 0, let dir = try? temporaryDirectory() else { return false }
        defer { _ = run("/bin/umount", [dir]) }
        return run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]) == 0
    }()

    @discardableResult
    static func run(_ tool: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    func serve(_ dir: String, state: String) async throws -> (Int32, String) {
        let job = try writeJob(dir, id: "j", length: 10)
        let p = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0", "--state", state, "--job", job],
                                in: dir, name: "coordinator-\(UUID().uuidString.prefix(6))")
        return (try await p.waitForExit(timeout: 30), p.output)
    }

    func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func aCorruptStateFileIsRefusedAndLeftAsItWas() async throws {
        let dir = try temporaryDirectory()
        let path = dir + "/coordinator.sqlite"
        var rng = SystemRandomNumberGenerator()
        try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: path))
        let before = try digest(path)
        let (status, out) = try await serve(dir, state: path)
        #expect(status != 0)
        #expect(out.contains("state file \(path): not a SQLite database"), "\(out.suffix(1000))")
        #expect(try digest(path) == before, "the corrupt file was written to")
        // A participant's state the same way (mode 0600, as its secrets require).
        let participantState = dir + "/brand-a.sqlite"
        try before.write(to: URL(fileURLWithPath: participantState))
        chmod(participantState, 0o600)
        let p = try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", "brand-a", "--coordinator", "127.0.0.1:9",
            "--data", try writeData(dir, name: "a", values: [1, 2]), "--state", participantState], in: dir, name: "participant")
        #expect(try await p.waitForExit(timeout: 30) != 0)
        #expect(p.output.contains("state file \(participantState): not a SQLite database"), "\(p.output.suffix(1000))")
        #expect(try digest(participantState) == before)
    }

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aFullDiskAndAReadOnlyFileSystemAreNamedAndTheStateSurvives() async throws {
        let dir = try temporaryDirectory()
        let mount = dir + "/disk"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        #expect(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mount]) == 0)
        defer { Self.run("/bin/umount", [mount]) }
        let path = mount + "/coordinator.sqlite"
        do { _ = try CoordinatorStore(path: path) }  // a valid state file, closed again
        // The disk fills up.
        let filler = mount + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()
        let full = try await serve(dir, state: path)
        #expect(full.0 != 0)
        #expect(full.1.contains("state file \(path): the disk is full"), "\(full.1.suffix(1000))")
        try FileManager.default.removeItem(atPath: filler)
        #expect(try StateDatabase.integrityCheck(path: path) == "ok")
        // Read-only.
        #expect(Self.run("/bin/mount", ["-o", "remount,ro", mount]) == 0)
        let readOnly = try await serve(dir, state: path)
        #expect(readOnly.0 != 0)
        #expect(readOnly.1.contains("state file \(path): the file system is read-only"), "\(readOnly.1.suffix(1000))")
        #expect(Self.run("/bin/mount", ["-o", "remount,rw", mount]) == 0)
        #expect(try StateDatabase.integrityCheck(path: path) == "ok")
        #expect(try CoordinatorStore(path: path).jobs().isEmpty)
    }
}
