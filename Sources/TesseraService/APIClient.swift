import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TesseraTransport

/// A client of the job API: one HTTP/1.1 request per mutually authenticated TLS 1.3
/// connection, with the principal's certificate; the coordinator's certificate is verified
/// against the federation CA for `serverName` (as participants do).
public struct APIClient: Sendable {
    public struct Reply: Sendable {
        public let status: Int
        public let contentType: String
        public let body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The "error" field of a JSON error body, or the body itself.
        public var errorMessage: String {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"] as? String ?? text
        }
    }

    public let host: String
    public let port: Int
    public let serverName: String
    let context: NIOSSLContext
    /// Largest response accepted (a transcript export of a long federation can be large).
    public var responseLimit = 512 << 20

    public init(host: String, port: Int, serverName: String = "localhost", tls: TLSIdentity) throws {
        self.host = host
        self.port = port
        self.serverName = serverName
        context = try tls.clientContext()
    }

    public func get(_ path: String) async throws -> Reply { try await request(.GET, path) }
    public func post(_ path: String, json body: Data = Data("{}".utf8)) async throws -> Reply { try await request(.POST, path, body: body) }

    /// Sends one request. A GET whose connection fails before any response arrives is sent
    /// again, twice at most (it is idempotent, RFC 9110 §9.2.2); other methods are not.
    public func request(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Reply {
        var attempt = 0
        while true {
            do { return try await once(method, path, body: body) } catch is NoResponse where method == .GET && attempt < 2 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(50 * attempt))
            } catch let error as NoResponse {
                throw error.underlying
            }
        }
    }

    /// The connection failed before the response's head arrived.
    struct NoResponse: Error { let underlying: any Error }

    func once(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Reply {
        let (context, serverName, limit) = (self.context, self.serverName, responseLimit)
        var headReceived = false
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
                head.headers.add(name: "Host", value: serverName)
                head.headers.add(name: "Connection", value: "close")
                if let body {
                    head.headers.add(name: "Content-Type", value: "application/json")
                    head.headers.add(name: "Content-Length", value: "\(body.count)")
                }
                // The coordinator may answer (a refusal) and close before the last write has
                // gone out: a failed write does not lose a response that arrived.
                var writeError: (any Error)?
                do {
                    try await outbound.write(.head(head))
                    if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                    try await outbound.write(.end(nil))
                } catch { writeError = error }
                var status = 0, contentType = "", received = Data()
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        headReceived = true
                        status = Int(h.status.code)
                        contentType = h.headers.first(name: "Content-Type") ?? ""
                    case .body(let buffer):
                        received.append(contentsOf: buffer.readableBytesView)
                        guard received.count <= limit else { throw APIClientError("response larger than \(limit) bytes") }
                    case .end:
                        return Reply(status: status, contentType: contentType, body: received)
                    }
                }
                if let writeError { throw writeError }
                throw APIClientError("the coordinator closed the connection before the end of its response")
            }
        } catch where !headReceived && !(error is APIClientError) {
            throw NoResponse(underlying: error)
        }
    }
}

public struct APIClientError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
