#!/usr/bin/env python3
"""Core-SVP cross-check of Tessera's RLWE mask, standard library only.

This is the "2016 estimate" of the primal uSVP attack, as used to set the
parameters of NewHope and Kyber:

  * E. Alkim, L. Ducas, T. Pöppelmann, P. Schwabe, "Post-quantum key exchange
    - a new hope", USENIX Security 2016, §6 (eprint 2015/1092);
  * J. Bos et al., "CRYSTALS-Kyber", EuroS&P 2018, §5 (eprint 2017/634), and
    the Kyber round-3 specification, §5.1;
  * M. Albrecht et al., "Estimate all the {LWE, NTRU} schemes!", SCN 2018,
    §2 (eprint 2018/331), which states the condition in the form used here.

An LWE instance (n, q, m samples, secret std σ_s, error std σ_e) is embedded
(Bai-Galbraith, with the secret coordinates scaled by ν = σ_e/σ_s so that every
coordinate of the target has std σ_e) into a lattice of dimension d = m + n + 1
and volume q^m · ν^n. BKZ-β finds the target when

    σ_e · sqrt(β)  ≤  δ_β^(2β − d) · Vol^(1/d),
    δ_β = ((πβ)^(1/β) · β / (2πe))^(1/(2(β−1))),

i.e. when the projection of the target on the last β Gram-Schmidt vectors
(norm ≈ sqrt(β/d) · ||target||, ||target|| ≈ σ_e · sqrt(d)) is shorter than
the β-th-from-last Gram-Schmidt norm under the geometric-series assumption.
The attacker picks the number of samples m ≤ m_max that minimises β. The cost
of one SVP call in dimension β is 2^(0.292 β) classically (BDGL16 sieve),
2^(0.265 β) quantumly (Laarhoven) and 2^(0.2075 β) in the "paranoid" lower
bound of ADPS16; core-SVP counts one call, ignoring the number of BKZ tours
and all polynomial factors, so it is a lower-bound-style figure, below what
the lattice-estimator reports with its default (MATZOV) cost model.

Run without arguments to print Tessera's mask, the hinted variants and the
HE-standard reference point; or give your own parameters (see --help).
"""

import argparse
import math
import sys

LOG2 = math.log(2.0)


def log2_delta(beta):
    """log2 of the root-Hermite factor of BKZ-β (ADPS16 / Chen's thesis)."""
    b = float(beta)
    return math.log2(((math.pi * b) ** (1.0 / b)) * b / (2 * math.pi * math.e)) / (2 * (b - 1))


def usvp_succeeds(beta, n, log2q, m, log2_sigma_s, log2_sigma_e):
    d = m + n + 1
    log2_nu = log2_sigma_e - log2_sigma_s  # scale secret up to the error's size
    if log2_nu < 0:  # secret larger than the error: scale the error side instead (never the case here)
        log2_nu = 0.0
    log2_vol_d = (m * log2q + n * log2_nu) / d
    lhs = log2_sigma_e + 0.5 * math.log2(beta)
    rhs = (2 * beta - d) * log2_delta(beta) + log2_vol_d
    return lhs <= rhs


def min_beta_for_m(n, log2q, m, log2_sigma_s, log2_sigma_e, beta_max):
    d = m + n + 1
    # success is monotone in β for β ≥ 50 in this regime; binary search
    lo, hi = 50, min(beta_max, d)
    if not usvp_succeeds(hi, n, log2q, m, log2_sigma_s, log2_sigma_e):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if usvp_succeeds(mid, n, log2q, m, log2_sigma_s, log2_sigma_e):
            hi = mid
        else:
            lo = mid + 1
    return lo


def core_svp(n, log2q, m_max, sigma_s, sigma_e=None, sigma_e_of_m=None, beta_max=3000, step=16):
    """Smallest β over m ≤ m_max. sigma_e_of_m(m) lets the error depend on how
    many samples the attacker keeps (sample selection under a hint)."""
    best = None
    m_hi = min(m_max, 6 * n)  # the optimum is far below this for these parameters
    m = step
    while m <= m_hi:
        se = sigma_e_of_m(m) if sigma_e_of_m else sigma_e
        b = min_beta_for_m(n, log2q, m, math.log2(sigma_s), math.log2(se), beta_max)
        if b is not None and (best is None or b < best[0]):
            best = (b, m, se)
        m += step
    if best is None:
        return None
    # refine around the coarse optimum
    b0, m0, _ = best
    for m in range(max(1, m0 - step), min(m_hi, m0 + step) + 1):
        se = sigma_e_of_m(m) if sigma_e_of_m else sigma_e
        b = min_beta_for_m(n, log2q, m, math.log2(sigma_s), math.log2(se), beta_max)
        if b is not None and b < best[0]:
            best = (b, m, se)
    b, m, se = best
    return {"beta": b, "m": m, "d": m + n + 1, "sigma_e": se,
            "classical": 0.292 * b, "quantum": 0.265 * b, "paranoid": 0.2075 * b}


def uniform_sigma(width):
    """std of the uniform distribution on `width` consecutive integers."""
    return math.sqrt((width * width - 1) / 12.0)


def hinted_sigma_e_selected(H, m, N, L=2 ** 20):
    """Error std seen by an attacker who knows E = Σ of H honest errors per
    coefficient and keeps the m of N coefficients where E pins e_1 down best
    (same model as scripts/security-estimate.py; see protocol/security-estimate.md):
    near a corner, E = ±(H·L/2 − u) and e_1 has std u·sqrt((H−1)/(H²(H+1)));
    the m best have u ≤ u_m = L·(H!·m/(2N))^(1/H), density ∝ u^(H−1); the
    primal lattice (rows rescaled) sees the geometric mean u_m·e^(−1/H)·sqrt(…)."""
    avg = uniform_sigma(L) * math.sqrt(1 - 1 / H)
    u_m = L * (math.factorial(H) * m / (2 * N)) ** (1 / H)
    if u_m >= L:
        return avg
    return min(avg, u_m * math.exp(-1 / H) * math.sqrt((H - 1) / (H * H * (H + 1))))


def tessera_rows(n=2048, blocks=4883):
    L = 2 ** 20                       # e uniform in [-2^19, 2^19): 2^20 values
    sig_e = uniform_sigma(L)          # ≈ 2^18.2
    sig_s = math.sqrt(2.0)            # centred binomial η = 4: variance η/2 = 2
    N = blocks * n                    # LWE samples (coefficients) sharing one s
    rows = [
        ("Tessera mask, m ≤ n (one block)", n, 64, n, sig_s, sig_e, None),
        ("Tessera mask, m ≤ 2n", n, 64, 2 * n, sig_s, sig_e, None),
        (f"Tessera mask, m ≤ {blocks}·n (all blocks)", n, 64, N, sig_s, sig_e, None),
    ]
    # H honest participants, the coordinator knowing Σ_h s_h and Σ_h e_h:
    # s_1 − S/H has variance 2(1 − 1/H), e_1 − E/H has variance σe²(1 − 1/H) on average ...
    for H in (2, 3, 4):
        rows.append((f"hint, {H} honest: average variances", n, 64, N,
                     math.sqrt(2 * (1 - 1 / H)), sig_e * math.sqrt(1 - 1 / H), None))
    # ... but the attacker keeps the coefficients whose error the hint pins down best
    for H, NN, what in ((2, N, "10^7 values"), (3, N, "10^7 values"), (4, N, "10^7 values"),
                        (2, 49 * n, "10^5 values")):
        rows.append((f"hint, {H} honest, {what}: keep best m samples", n, 64, NN,
                     math.sqrt(2 * (1 - 1 / H)), None,
                     (lambda H, NN: (lambda m: hinted_sigma_e_selected(H, m, NN)))(H, NN)))
    rows += [
        ("message-free instance mod Δ = 2^32 (x unknown, b = 32)", n, 32, N, sig_s, sig_e, None),
        ("HE standard 128-bit: n 2048, q 2^54, σ 3.19, ternary", 2048, 54, 4 * 2048, math.sqrt(2 / 3.0), 3.19, None),
        ("HE standard 128-bit, Gaussian secret σ 3.19", 2048, 54, 4 * 2048, 3.19, 3.19, None),
        ("TFHE-rs RLWE key: n 2048, q 2^64, binary, TUniform(17)", 2048, 64, 2 * 2048, 0.5,
         math.sqrt((2 ** 35 + 1) / 6.0), None),
    ]
    return rows


def fmt_row(label, r):
    if r is None:
        return f"{label:60s}  no β ≤ max found"
    return (f"{label:60s}  β {r['beta']:4d}  m {r['m']:5d}  d {r['d']:5d}  log2σe {math.log2(r['sigma_e']):5.1f}  "
            f"classical 2^{r['classical']:5.1f}  quantum 2^{r['quantum']:5.1f}  paranoid 2^{r['paranoid']:5.1f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, help="LWE dimension (ring degree)")
    ap.add_argument("--log2q", type=float, help="log2 of the modulus")
    ap.add_argument("--m", type=int, help="samples available (LWE rows)")
    ap.add_argument("--sigma-s", type=float, help="std of the secret coefficients")
    ap.add_argument("--sigma-e", type=float, help="std of the error coefficients")
    a = ap.parse_args(argv)
    custom = [a.n, a.log2q, a.m, a.sigma_s, a.sigma_e]
    if any(v is not None for v in custom):
        if any(v is None for v in custom):
            ap.error("give all of --n --log2q --m --sigma-s --sigma-e, or none")
        r = core_svp(a.n, a.log2q, a.m, a.sigma_s, a.sigma_e)
        print(fmt_row(f"n {a.n}, log2 q {a.log2q}, m ≤ {a.m}, σs {a.sigma_s}, σe {a.sigma_e}", r))
        return 0
    print("Primal uSVP, core-SVP (2016 estimate: ADPS16 / Kyber), GSA, Bai-Galbraith scaling;")
    print("cost of one SVP call in dimension β: classical 0.292β, quantum 0.265β, paranoid 0.2075β")
    for label, n, log2q, m_max, ss, se, se_of_m in tessera_rows():
        print(fmt_row(label, core_svp(n, log2q, m_max, ss, se, se_of_m)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
