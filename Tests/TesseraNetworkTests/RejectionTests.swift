import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import TesseraNode
import TesseraProtocol
import TesseraTransport

@Suite(.serialized) struct RejectionTests {
    func startCoordinator(_ dir: String, job: String, extra: [String] = []) async throws -> (NodeProcess, Int) {
        let c = try NodeProcess("tessera-coordinator", ["serve", "--keys", testKeys, "--listen", "127.0.0.1:0",
            "--state", dir + "/coordinator.sqlite", "--job", job] + extra, in: dir, name: "coordinator")
        return (c, try listeningPort(try await c.waitFor("listening on")))
    }

    /// Connects with an arbitrary TLS configuration; returns whatever the coordinator sent
    /// before closing (nil when the TLS layer failed).
    func probe(port: Int, configure: (inout TLSConfiguration) throws -> Void) async -> [Frame]? {
        do {
            var config = TLSConfiguration.makeClientConfiguration()
            config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(testKeys + "/ca.pem"))
            try configure(&config)
            let connection = try await TransportClient.connect(host: "127.0.0.1", port: port, serverName: "localhost",
                                                               tls: try NIOSSLContext(configuration: config))
            return try await connection.channel.executeThenClose { inbound, outbound in
                // Something to answer: with TLS 1.3 the server's verdict on a client certificate
                // arrives after the client's side of the handshake is done.
                // The server may have sent its refusal and closed before this write lands.
                var b = ByteBufferAllocator().buffer(capacity: 8)
                b.writeInteger(UInt32(1)); b.writeInteger(UInt8(0))
                try? await outbound.write(b)
                var frames: [Frame] = []
                do { for try await f in inbound { frames.append(f) } } catch where !frames.isEmpty {}
                return frames
            }
        } catch {
            return nil
        }
    }


    @Test func tlsAndIdentityFailuresAreRefusedWhileTheCoordinatorServes() async throws {
        let dir = try temporaryDirectory()
        let (coordinator, port) = try await startCoordinator(dir, job: try writeJob(dir, id: "j", length: 10), extra: ["--metrics", "127.0.0.1:0"])
        let member = testKeys + "/participants/brand-a"

        // No client certificate.
        #expect(await probe(port: port) { _ in }.map { $0.isEmpty } ?? true)
        // A certificate from another CA (made by openssl, not by us).
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir + "/rogue-key.pem",
                     "-out", dir + "/rogue.pem", "-subj", "/CN=brand-a", "-days", "2"])
        #expect(await probe(port: port) {
            $0.certificateChain = [.certificate(try NIOSSLCertificate(file: dir + "/rogue.pem", format: .pem))]
            $0.privateKey = .privateKey(try NIOSSLPrivateKey(file: dir + "/rogue-key.pem", format: .pem))
        }.map { $0.isEmpty } ?? true)
        // TLS 1.2.
        #expect(await probe(port: port) {
            $0.maximumTLSVersion = .tlsv12
            $0.certificateChain = [.certificate(try NIOSSLCertificate(file: member + "/cert.pem", format: .pem))]
            $0.privateKey = .privateKey(try NIOSSLPrivateKey(file: member + "/key.pem", format: .pem))
        } == nil)
        // A valid certificate of the federation CA for an id that is not in the manifest.
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir + "/mallory-key.pem",
                     "-out", dir + "/mallory.csr", "-subj", "/CN=mallory"])
        try openssl(["x509", "-req", "-in", dir + "/mallory.csr", "-CA", testKeys + "/ca.pem", "-CAkey", testKeys + "/ca-key.pem",
                     "-CAcreateserial", "-CAserial", dir + "/serial", "-out", dir + "/mallory.pem", "-days", "2"])
        let frames = await probe(port: port) {
            $0.certificateChain = [.certificate(try NIOSSLCertificate(file: dir + "/mallory.pem", format: .pem))]
            $0.privateKey = .privateKey(try NIOSSLPrivateKey(file: dir + "/mallory-key.pem", format: .pem))
        }
        let refusal = try #require(frames?.first)
        guard case .message(let buffer) = refusal else { throw TestFailure("expected a status frame") }
        let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: Data(buffer.readableBytesView)).body)
        guard case .status(let status) = body.payload else { throw TestFailure("expected a status") }
        #expect(status.code == .unknownSender)

        // The coordinator logged each refusal by name and still serves a legitimate participant.
        #expect(coordinator.process.isRunning, "coordinator died: \(coordinator.output.suffix(2000))")
        let log = coordinator.output
        #expect(log.contains("tls_handshake") || log.contains("tls_no_certificate"))
        #expect(log.contains("unknown_sender") || log.contains("not in the federation manifest"))
        let spec = try await TestClient.with("brand-a", port: port) { client in
            try await client.send(.hello(.with { $0.protocolVersion = 1 }))
            return try await client.next { if case .jobSpec = $0.payload { return true }; return false }
        }
        #expect(spec.jobID == "j")
        // Prometheus metrics count the refusals by reason.
        let metricsLine = try #require(coordinator.output.split(separator: "\n").first { $0.contains("address=127.0.0.1:") && $0.contains("metrics") })
        let metricsPort = try #require(metricsLine.split(separator: "address=127.0.0.1:").last?.split(separator: " ").first)
        var exposition = ""
        for _ in 0..<3 where !exposition.contains("tessera_rejections_total") {
            let scrape = Process()
            let pipe = Pipe()
            scrape.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            scrape.arguments = ["python3", "-c", "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:\(metricsPort)/metrics').read().decode())"]
            scrape.standardOutput = pipe
            try scrape.run()
            exposition = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            scrape.waitUntilExit()
        }
        #expect(exposition.contains("# TYPE tessera_rejections_total counter"))
        #expect(exposition.contains("tessera_rejections_total{reason=\"unknown_sender\"} 1"))
        #expect(exposition.contains("tessera_rejections_total{reason=\"tls_handshake\"}"))
        #expect(exposition.contains("tessera_connected_participants"))
        coordinator.signal(SIGTERM)
        #expect(try await coordinator.waitForExit(timeout: 20) == 0)
    }

    @Test func protocolViolationsGetNamedStatusCodes() async throws {
        let dir = try temporaryDirectory()
        let length = 70  // two ciphertexts with the test federation's plan
        let job = try writeJob(dir, id: "j2", length: length, participants: ["brand-a", "brand-b", "brand-c"], minParticipants: 2)
        let (coordinator, port) = try await startCoordinator(dir, job: job, extra: ["--round-timeout", "2", "--frame-limit", "1048576"])
        let aValues = (0..<length).map { Int64($0 * 3) }
        let cValues = (0..<length).map { Int64(1000 - $0) }
        let a = try NodeProcess("tessera-participant", ["run", "--keys", testKeys, "--id", "brand-a", "--coordinator", "127.0.0.1:\(port)",
            "--data", try writeData(dir, name: "a", values: aValues), "--state", dir + "/a.sqlite"], in: dir, name: "brand-a")
        defer { a.signal(SIGTERM) }

        try await TestClient.with("brand-c", port: port) { c in
            try await c.send(.hello(.with { $0.protocolVersion = 1 }))
            let specBody = try await c.next { if case .jobSpec = $0.payload { return true }; return false }
            guard case .jobSpec(let spec) = specBody.payload else { return }
            try await c.send(.jobDecision(.with { $0.accept = true; $0.reason = "test" }), job: "j2")
            _ = try await c.next { if case .roundOpen = $0.payload { return true }; return false }

            // Wrong length.
            try await c.send(.submission(try c.encryptSubmission(values: cValues, spec: spec, dropLast: true)), job: "j2", round: 1)
            let wrongLength = try await c.status()
            #expect(wrongLength.code == .wrongLength, "\(wrongLength)")
            // A valid submission, then its exact replay.
            let envelope = try await c.send(.submission(try c.encryptSubmission(values: cValues, spec: spec)), job: "j2", round: 1)
            #expect(try await c.status().code == .ok)
            try await c.send(envelope)
            let replay = try await c.status()
            #expect(replay.code == .replay, "\(replay)")
            // A second, fresh submission for the same round.
            try await c.send(.submission(try c.encryptSubmission(values: cValues, spec: spec)), job: "j2", round: 1)
            let duplicate = try await c.status()
            #expect(duplicate.code == .duplicate, "\(duplicate)")
            // A message claiming to be from another participant.
            try await c.send(try c.envelope(.hello(.init()), sender: "brand-a"))
            #expect(try await c.status(for: 0).code == .identityMismatch)
            // A hello with a sequence number (hello and status carry 0).
            var hello = Tessera_V1_Body()
            hello.federation = "test"; hello.sender = "brand-c"; hello.sequence = 99; hello.payload = .hello(.init())
            try await c.send(try SignedEnvelope.seal(hello, with: c.node.signingKey).serializedData())
            let numbered = try await c.status(for: 99)
            #expect(numbered.code == .malformed && numbered.message.contains("sequence 0"), "\(numbered)")

            // After the timeout (brand-b never comes) the round is decrypted by brand-a and us.
            let requestBody = try await c.next(timeout: 90) { if case .decryptionRequest = $0.payload { return true }; return false }
            guard case .decryptionRequest(let request) = requestBody.payload else { return }
            #expect(request.contributors == ["brand-a", "brand-c"])
            try await c.send(.partialDecryptions(try c.partials(for: request, corrupt: true)), job: "j2", round: 1)
            let badProof = try await c.status()
            #expect(badProof.code == .invalidProof)
            #expect(badProof.message.contains("brand-c"))
            try await c.send(.partialDecryptions(try c.partials(for: request)), job: "j2", round: 1)
            #expect(try await c.status().code == .ok)
            let resultBody = try await c.next(timeout: 90) { if case .roundResult = $0.payload { return true }; return false }
            guard case .roundResult(let result) = resultBody.payload else { return }
            #expect(result.sums == zip(aValues, cValues).map { $0 + $1 })

            // The round is over: brand-c's submission stands (a new one is a duplicate however
            // the round's timing fell), and late partial decryptions are refused as closed.
            try await c.send(.submission(try c.encryptSubmission(values: cValues, spec: spec)), job: "j2", round: 1)
            let again = try await c.status()
            #expect(again.code == .duplicate, "\(again)")
            try await c.send(.partialDecryptions(try c.partials(for: request)), job: "j2", round: 1)
            let closed = try await c.status()
            #expect(closed.code == .roundClosed, "\(closed)")
            // A frame over the coordinator's 1 MiB limit: refused by name, then the connection closes.
            try await c.send(Data(repeating: 0x5a, count: (1 << 20) + 1))
            let oversize = try await c.status(for: 0)
            #expect(oversize.code == .oversize)
            #expect(oversize.message.contains("exceeds the limit"))
        }
        #expect(coordinator.process.isRunning)
        coordinator.signal(SIGTERM)
        #expect(try await coordinator.waitForExit(timeout: 20) == 0)
    }
}

