import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import TesseraNode
import TesseraState
import TesseraTransport

/// A coordinator that outlives abusive clients, over real mTLS on loopback, while an honest
/// round runs: hundreds of connections that never finish TLS, random frames from an
/// authenticated member, a frame announced and never sent, more connections per identity than
/// allowed, handshakes with a foreign certificate, a member that stops reading its replies.
/// Each is bounded (first-frame and stall timeouts, a per-identity cap, a bounded outgoing
/// queue per connection), counted by reason in the metrics, and the honest round
/// releases the right sum; the coordinator's peak memory is reported.
@Suite(.serialized) struct AbuseTests {
    static let length = 30

    func values(_ i: Int) -> [Int64] { (0..<Self.length).map { Int64(($0 * 17 + i * 101) % 401) - 200 } }

    /// A TLS connection with a member's certificate and no framing: the test writes raw bytes.
    func rawTLS(_ id: String, port: Int, receiveBuffer: Int? = nil) async throws -> Channel {
        let tls = try NodeKeys.participant(directory: testKeys, id: id).tls.clientContext()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let receiveBuffer { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer)) }
        return try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: "localhost"))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// Retries a connection the listen backlog refused while it is full of silent connections.
    func retrying<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        for attempt in 1... {
            do { return try await body() } catch where attempt < 20 {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        fatalError("unreachable")
    }

    /// Waits for the server to close `channel`; false if it is still open after `seconds`.
    func closedByServer(_ channel: Channel, within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !channel.isActive { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return !channel.isActive
    }

    func peakRSS(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0  // kB
    }

    @Test func abusiveClientsAreBoundedCountedAndTheHonestRoundCompletes() async throws {
        let dir = try temporaryDirectory()
        let job = try writeJob(dir, id: "under-fire", length: Self.length, participants: ["brand-a", "brand-b"], minParticipants: 2)
        let metricsFile = dir + "/metrics.txt"
        let coordinator = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", job, "--metrics-out", metricsFile,
            "--first-frame-timeout", "2", "--frame-stall-timeout", "2", "--max-sessions-per-identity", "4", "--log-level", "notice"],
            in: dir, name: "coordinator")
        let port = try listeningPort(try await coordinator.waitFor("listening on"))
        let pid = coordinator.process.processIdentifier
        var peak = peakRSS(pid)

        // 1. 400 TCP connections that never start TLS: each closed at the first-frame timeout.
        let group = MultiThreadedEventLoopGroup.singleton
        var silent: [Channel] = []
        for _ in 0..<400 { if let c = try? await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get() { silent.append(c) } }
        #expect(silent.count >= 390, "only \(silent.count) connections were accepted")

        // The honest round starts under fire.
        var expected = [Int64](repeating: 0, count: Self.length)
        var nodes: [NodeProcess] = []
        for (i, id) in ["brand-a", "brand-b"].enumerated() {
            for j in 0..<Self.length { expected[j] += values(i)[j] }
            nodes.append(try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", id, "--coordinator", "127.0.0.1:\(port)",
                "--data", try writeData(dir, name: id, values: values(i)), "--state", dir + "/\(id).sqlite", "--exit-after-job"], in: dir, name: id))
        }
        defer { for n in nodes + [coordinator] { n.signal(SIGTERM) } }

        // 2. An authenticated member sends 200 random frames: each refused, the session lives on.
        try await retrying("random frames") { try await TestClient.with("brand-c", port: port) { client in
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<200 { try await client.send(Data((0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })) }
            try await client.send(.hello(.with { $0.protocolVersion = 1 }))
        } }
        // 3. After a first frame, a frame of 1,000 bytes announced and 10 sent: closed at the stall timeout.
        let stalled = try await retrying("stalled frame") { try await rawTLS("brand-c", port: port) }
        var partial = stalled.allocator.buffer(capacity: 19)
        partial.writeInteger(UInt32(1)); partial.writeInteger(UInt8(0))  // one complete (malformed) frame first
        partial.writeInteger(UInt32(1000))
        partial.writeBytes([UInt8](repeating: 7, count: 10))
        try await stalled.writeAndFlush(partial)
        #expect(await closedByServer(stalled, within: 15), "a stalled frame kept its connection open")
        // 4. Eight connections at once for one identity: the ones over the cap are refused.
        // Each sends one complete frame, so that no first-frame timeout frees a slot meanwhile;
        // the member's earlier connections have ended first.
        try await Task.sleep(for: .seconds(1))
        var crowd: [Channel] = []
        for _ in 0..<8 {
            let c = try await retrying("crowd") { try await rawTLS("brand-c", port: port) }
            var frame = c.allocator.buffer(capacity: 5)
            frame.writeInteger(UInt32(1)); frame.writeInteger(UInt8(0))
            try? await c.writeAndFlush(frame)
            crowd.append(c)
        }
        try await Task.sleep(for: .seconds(1))
        let refused = crowd.filter { !$0.isActive }.count
        #expect(refused == 4, "\(refused) of 8 connections of one identity refused; the cap is 4")
        for c in crowd where c.isActive { try? await c.close() }
        // 5. Handshakes with a certificate of another CA, again and again.
        let rogue = dir + "/rogue"
        try FileManager.default.createDirectory(atPath: rogue, withIntermediateDirectories: true)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", rogue + "/key.pem",
                     "-out", rogue + "/cert.pem", "-subj", "/CN=brand-a", "-days", "2"])
        var config = TLSConfiguration.makeClientConfiguration()
        config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(testKeys + "/ca.pem"))
        config.certificateChain = [.certificate(try NIOSSLCertificate(file: rogue + "/cert.pem", format: .pem))]
        config.privateKey = .privateKey(try NIOSSLPrivateKey(file: rogue + "/key.pem", format: .pem))
        let rogueContext = try NIOSSLContext(configuration: config)
        for _ in 0..<30 {
            if let c = try? await TransportClient.connect(host: "127.0.0.1", port: port, serverName: "localhost", tls: rogueContext) {
                try? await c.channel.executeThenClose { inbound, outbound in
                    var b = ByteBufferAllocator().buffer(capacity: 5)
                    b.writeInteger(UInt32(1)); b.writeInteger(UInt8(0))
                    try? await outbound.write(b)
                    do { for try await _ in inbound {} } catch {}
                }
            }
            peak = max(peak, peakRSS(pid))
        }

        // 6. A member that sends 20,000 malformed frames and never reads the refusals: once 64
        // replies wait unread (behind a full socket), its connection is closed.
        let deaf = try await retrying("slow reader") { try await rawTLS("brand-c", port: port, receiveBuffer: 4096) }
        var hello = deaf.allocator.buffer(capacity: 5)
        hello.writeInteger(UInt32(1)); hello.writeInteger(UInt8(0))
        try await deaf.writeAndFlush(hello)
        try await Task.sleep(for: .milliseconds(500))  // the handshake completes; then no more reading
        try await deaf.setOption(ChannelOptions.autoRead, value: false)
        for _ in 0..<20 {
            var burst = deaf.allocator.buffer(capacity: 5_000)
            for _ in 0..<1_000 { burst.writeInteger(UInt32(1)); burst.writeInteger(UInt8(0)) }
            try? await deaf.writeAndFlush(burst)
        }
        _ = try await coordinator.waitFor("participant stopped reading", timeout: 60)
        try? await deaf.close()
        peak = max(peak, peakRSS(pid))

        // Every silent and crowding connection is closed by the server.
        for c in silent { #expect(await closedByServer(c, within: 15)) }
        peak = max(peak, peakRSS(pid))

        // The honest round released the right sum to both brands; the coordinator stops normally.
        for n in nodes { #expect(try await n.waitForExit(timeout: 120) == 0, "\(n.name): \(n.output.suffix(2000))") }
        for id in ["brand-a", "brand-b"] { #expect(try ParticipantStore(path: dir + "/\(id).sqlite").result(job: "under-fire", round: 1) == expected) }
        peak = max(peak, peakRSS(pid))
        coordinator.signal(SIGTERM)
        #expect(try await coordinator.waitForExit(timeout: 30) == 0, "\(coordinator.output.suffix(3000))")

        // Counted by reason.
        let metrics = try String(contentsOfFile: metricsFile, encoding: .utf8)
        func count(_ reason: String) -> Double {
            metrics.split(separator: "\n").filter { $0.hasPrefix("tessera_rejections_total") && $0.contains("reason=\"\(reason)\"") }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        #expect(count("first_frame_timeout") >= 390, "\(metrics)")
        #expect(count("frame_stalled") >= 1, "\(metrics)")
        #expect(count("session_cap") == 4, "\(metrics)")
        #expect(count("malformed") >= 200, "\(metrics)")
        #expect(count("tls_handshake") >= 30, "\(metrics)")
        #expect(count("slow_reader") >= 1, "\(metrics)")
        #expect(peak > 0 && peak < 512 * 1024, "coordinator peak RSS \(peak) kB")
        print("abuse: coordinator peak RSS \(peak / 1024) MiB; first_frame_timeout \(Int(count("first_frame_timeout"))), frame_stalled \(Int(count("frame_stalled"))), session_cap \(Int(count("session_cap"))), malformed \(Int(count("malformed"))), tls_handshake \(Int(count("tls_handshake"))), slow_reader \(Int(count("slow_reader")))")
    }
}
