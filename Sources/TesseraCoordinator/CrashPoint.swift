import Foundation

/// Tests only: process-kill points of the coordinator (set TESSERA_CRASH_POINT to one of the
/// names below). The coordinator exits at once there (status 86), as a SIGKILL would, without
/// cleanup, right after the named message was stored (its transaction committed) and before it
/// is acknowledged or acted upon:
/// "dkg-deal-stored", "dkg-complain-stored", "dkg-justify-stored", "dkg-confirm-stored": the
/// first message of that DKG phase; "submission-stored": a round's first submission;
/// "partials-stored": a holder's verified partial decryptions; "unresponsive-stored": the
/// holders that missed a decryption deadline, before the others are asked;
/// "last-submission-stored": the submission of the job's last listed participant;
/// "threshold-partials-stored": the partial decryptions that reach the key's threshold.
enum CrashPoint {
    static let point = ProcessInfo.processInfo.environment["TESSERA_CRASH_POINT"]
    static func reached(_ name: String) {
        if point == name { _exit(86) }
    }
    /// `condition` is evaluated only when this point is the one set.
    static func reached(_ name: String, if condition: () throws -> Bool) rethrows {
        if point == name, try condition() { _exit(86) }
    }
}
