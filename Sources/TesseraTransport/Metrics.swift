import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Counters and gauges in the Prometheus text exposition format (version 0.0.4).
public final class Metrics: Sendable {
    private struct State {
        var counters: [String: [String: Double]] = [:]  // name → labels → value
        var gauges: [String: [String: Double]] = [:]
        var help: [String: String] = [:]
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    public func increment(_ name: String, labels: [String: String] = [:], by value: Double = 1, help: String = "") {
        state.withLockedValue { s in
            s.counters[name, default: [:]][Self.render(labels), default: 0] += value
            if !help.isEmpty { s.help[name] = help }
        }
    }

    public func set(_ name: String, labels: [String: String] = [:], _ value: Double, help: String = "") {
        state.withLockedValue { s in
            s.gauges[name, default: [:]][Self.render(labels)] = value
            if !help.isEmpty { s.help[name] = help }
        }
    }

    public func value(_ name: String, labels: [String: String] = [:]) -> Double {
        state.withLockedValue { s in s.counters[name]?[Self.render(labels)] ?? s.gauges[name]?[Self.render(labels)] ?? 0 }
    }

    static func render(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let body = labels.sorted { $0.key < $1.key }.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(escaped)\""
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    public func exposition() -> String {
        state.withLockedValue { s in
            var out = ""
            for (kind, family) in [("counter", s.counters), ("gauge", s.gauges)] {
                for name in family.keys.sorted() {
                    if let help = s.help[name] { out += "# HELP \(name) \(help)\n" }
                    out += "# TYPE \(name) \(kind)\n"
                    for (labels, value) in family[name]!.sorted(by: { $0.key < $1.key }) {
                        out += "\(name)\(labels) \(value)\n"
                    }
                }
            }
            return out
        }
    }
}

/// A minimal HTTP/1.1 endpoint that answers every request with the metrics (plain text, no TLS;
/// bind it to loopback or a scrape network).
public enum MetricsServer {
    public static func start(host: String, port: Int, metrics: Metrics,
                             group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Responder(metrics: metrics)) }
            }
            .bind(host: host, port: port).get()
    }

    final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let metrics: Metrics
        var request = ""
        init(metrics: Metrics) { self.metrics = metrics }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            request += buffer.readString(length: buffer.readableBytes) ?? ""
            guard request.contains("\r\n\r\n") || request.count > 8192 else { return }
            let body = metrics.exposition()
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let out = context.channel.allocator.buffer(string: head + body)
            context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in context.close(promise: nil) }
        }
    }
}
