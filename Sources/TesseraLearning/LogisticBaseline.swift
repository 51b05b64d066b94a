import Foundation

/// Centralized, noiseless reference for federated logistic regression: the (ridge-stabilised)
/// maximum-likelihood model on the union of the brands' clipped rows, no clipping of
/// gradients and no noise.
extension LogisticRegression {
    /// Newton's method with backtracking line search (Nocedal & Wright 2006, Algorithms 3.1
    /// and §3.3; for logistic regression this is IRLS, Hastie–Tibshirani–Friedman 2009 §4.4.1)
    /// on the mean log-loss plus (ridge/2)·‖θ‖². The small ridge keeps the Hessian positive
    /// definite and the optimum finite on separable data.
    public func baselineFit(rows: [[Double]], labels: [Bool], ridge: Double = 1e-6,
                            maxIterations: Int = 100) -> LogisticModel {
        precondition(rows.count == labels.count && !rows.isEmpty, "one label per row, some rows")
        let d = parameters.dimension, m = d + 1
        let x = rows.map { parameters.box.clip($0) + [1] }  // bias as a constant feature
        let n = Double(x.count)
        func objective(_ t: [Double]) -> Double {
            var f = 0.0
            for (xi, yi) in zip(x, labels) { f += logLoss(logit: dot(t, xi), label: yi) }
            return f / n + ridge / 2 * dot(t, t)
        }
        var theta = [Double](repeating: 0, count: m)
        var f = objective(theta)
        for _ in 0..<maxIterations {
            var g = theta.map { ridge * $0 }
            var h = (0..<m).map { i in (0..<m).map { $0 == i ? ridge : 0.0 } }
            for (xi, yi) in zip(x, labels) {
                let p = sigmoid(dot(theta, xi))
                let r = (p - (yi ? 1 : 0)) / n, w = p * (1 - p) / n
                for i in 0..<m {
                    g[i] += r * xi[i]
                    for j in 0...i { h[i][j] += w * xi[i] * xi[j] }
                }
            }
            for i in 0..<m { for j in 0..<i { h[j][i] = h[i][j] } }
            guard dot(g, g).squareRoot() > 1e-12, let step = choleskySolve(h, g) else { break }
            let decrease = dot(g, step)
            var t = 1.0, candidate = theta, fc = f
            for _ in 0..<60 {
                candidate = zip(theta, step).map { $0 - t * $1 }
                fc = objective(candidate)
                if fc <= f - 1e-4 * t * decrease { break }
                t /= 2
            }
            if fc >= f { break }
            theta = candidate
            f = fc
        }
        return LogisticModel(weights: Array(theta.prefix(d)), bias: theta[d])
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}

/// Solves A·x = b for symmetric positive definite A by Cholesky factorisation A = L·Lᵀ;
/// nil if A is not numerically positive definite.
func choleskySolve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
    let m = b.count
    var l = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0..<m {
        for j in 0...i {
            var s = a[i][j]
            for k in 0..<j { s -= l[i][k] * l[j][k] }
            if i == j {
                guard s > 0 else { return nil }
                l[i][i] = s.squareRoot()
            } else {
                l[i][j] = s / l[j][j]
            }
        }
    }
    var y = b
    for i in 0..<m {
        for k in 0..<i { y[i] -= l[i][k] * y[k] }
        y[i] /= l[i][i]
    }
    for i in stride(from: m - 1, through: 0, by: -1) {
        for k in (i + 1)..<m { y[i] -= l[k][i] * y[k] }
        y[i] /= l[i][i]
    }
    return y
}
