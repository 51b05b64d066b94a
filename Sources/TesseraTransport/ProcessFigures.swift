import Foundation
import TesseraCrypto

/// A process's resident memory, its peak, its open file descriptors and its CPU time, from
/// /proc (Linux); nil where /proc is absent.
public struct ProcessFigures: Sendable {
    public var residentBytes: Int
    public var peakResidentBytes: Int
    public var openFiles: Int
    /// User + system time of every thread, from /proc/PID/stat.
    public var cpuSeconds: Double

    public static func now(pid: String = "self") -> ProcessFigures? {
        guard let status = try? FileBytes.read("/proc/\(pid)/status") else { return nil }
        func kB(_ field: String) -> Int {
            for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix(field + ":") {
                return (Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0) * 1024
            }
            return 0
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        // Fields 14 and 15 (utime, stime) of /proc/PID/stat, counted after the ")" that ends
        // the command name (which may itself hold spaces).
        var cpu = 0.0
        let stat = String(decoding: (try? FileBytes.read("/proc/\(pid)/stat")) ?? Data(), as: UTF8.self)
        if let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) {
                cpu = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        return ProcessFigures(residentBytes: kB("VmRSS"), peakResidentBytes: kB("VmHWM"), openFiles: files, cpuSeconds: cpu)
    }

    /// Raises the soft limit on open files to the hard limit: a coordinator serving a thousand
    /// participants holds a socket each, more than the usual soft limit of 1,024.
    public static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
