import Foundation

/// Writes key files: secrets with mode 0600, public files 0644, whatever the umask.
/// A secret is created with O_EXCL and mode 0600 from the start, so it is never readable by
/// others, even briefly.
enum KeyFileWriter {
    /// `replace`: remove an existing file first (otherwise an existing file is an error).
    static func write(_ data: Data, to path: String, secret: Bool, replace: Bool = true) throws {
        let mode: mode_t = secret ? 0o600 : 0o644
        if replace, unlink(path) != 0 && errno != ENOENT { throw error(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error(path) }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw error(path) }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw error(path) }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw error(path) }
    }

    /// Creates a directory (and its parents); `private` ones get mode 0700.
    static func makeDirectory(_ path: String, private: Bool) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            if `private` { try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path) }
        } catch {
            throw KeyCeremonyError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw error(path) }
    }

    private static func error(_ path: String) -> KeyCeremonyError {
        .cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
}
