import Foundation

/// Reads a whole file with open(2)/read(2). Foundation's `Data(contentsOf:)` on Linux leaks a
/// 4 KiB buffer for every empty file it reads (found by the `manifest` fuzz target; regression
/// input `Fuzz/corpus/manifest/empty`), and every file a node reads comes from outside.
public enum FileBytes {
    public static func read(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError(errno, path) }
        defer { close(fd) }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw posixError(errno, path)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}

/// The error of a failed system call on `path`, with the system's words for it.
func posixError(_ code: Int32, _ path: String) -> Error {
    NSError(domain: NSPOSIXErrorDomain, code: Int(code), userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(code))])
}
