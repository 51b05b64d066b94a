import Foundation

/// Wall-clock timing on the monotonic clock.
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` (which performs `batch` operations per call) until at least `seconds` have
    /// passed and at least `minCalls` calls were made; returns operations per second.
    static func rate(seconds: Double, batch: Int = 1, minCalls: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        try body()  // warm-up
        var calls = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            try body()
            calls += 1
            elapsed = now() - start
        } while elapsed < seconds || calls < minCalls
        return Double(calls * batch) / elapsed
    }
}

extension Clock {
    /// Rates of a reference and a candidate measured in alternation (short slices of each,
    /// repeated for `seconds`), so that background load affects both alike and their ratio
    /// is meaningful on a noisy machine.
    static func interleaved(seconds: Double, referenceBatch: Int, candidateBatch: Int,
                            reference: () throws -> Void, candidate: () throws -> Void) rethrows -> (reference: Double, candidate: Double) {
        try reference(); try candidate()  // warm-up
        var (refTime, candTime, refOps, candOps) = (0.0, 0.0, 0, 0)
        let start = now()
        while now() - start < seconds || refOps == 0 || candOps == 0 {
            var t = now()
            try reference()
            refTime += now() - t
            refOps += referenceBatch
            t = now()
            try candidate()
            candTime += now() - t
            candOps += candidateBatch
        }
        return (Double(refOps) / refTime, Double(candOps) / candTime)
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
