"""Lattice-estimator run for Tessera's one-shot RLWE mask (see protocol/security-estimate.md).

Run through scripts/security-estimate, which installs Sage, fetches the
lattice-estimator at the pinned commit and puts it on PYTHONPATH. Directly:

    PYTHONPATH=/path/to/lattice-estimator sage -python scripts/security-estimate.py [--quick] [--jobs N]

Sections (every figure is log2 of the estimator's `rop`):
  1. the mask as the estimator sees it: n 2048, q 2^64, Xs CenteredBinomial(4),
     Xe Uniform(-2^19, 2^19-1), for m = n (rough), 2n and 4,883·n LWE samples (rough and full);
  2. reference points measured by the same run: the HE-standard 128-bit point
     (n 2048, q 2^54, σ 3.19; ternary and Gaussian secret) and TFHE-rs's RLWE key;
  3. the coordinator's hints on Σs and Σe for H honest participants:
     (a) the average-variance model, (b) the sample-selection model (the attacker keeps
     the m coefficients whose error the hint pins down best);
  4. the message-free instance mod Δ (what a ciphertext-only attacker faces).
"""

import argparse
import math
import sys
import time

from sage.all import oo, RR, log  # noqa: F401  (Sage must be importable)
from estimator import LWE, ND, RC
from functools import partial
from estimator.lwe_parameters import LWEParameters

N_RING = 2048
Q_MASK = 2**64
VALUES_MAX = 10**7
BLOCKS = -(-VALUES_MAX // N_RING)  # 4,883
M_ALL = BLOCKS * N_RING            # 10,000,384 LWE samples share one s
L_ERR = 2**20                      # e uniform in [-2^19, 2^19): 2^20 values
SIGMA_E = math.sqrt((L_ERR**2 - 1) / 12)

SUMMARY = []  # (section, label, attack, log2 rop, beta)


def lg(x):
    try:
        return float(log(x, 2))
    except Exception:
        return float("inf")


def record(section, label, attack, cost):
    rop = lg(cost["rop"]) if cost is not None and "rop" in cost else float("inf")
    beta = cost.get("beta") if cost is not None else None
    SUMMARY.append((section, label, attack, rop, beta))
    return rop


def run_estimate(section, label, params, full, jobs, deny=()):
    print(f"\n## {label}\n{params!r}", flush=True)
    t = time.time()
    print("-- LWE.estimate.rough (ADPS16 core-SVP cost model, 2^(0.292β)):", flush=True)
    r = LWE.estimate.rough(params, jobs=jobs)
    for k, v in r.items():
        record(section, label, f"rough/{k}", v)
    print(f"   ({time.time() - t:.0f} s)", flush=True)
    if full:
        t = time.time()
        print("-- LWE.estimate (default: MATZOV cost model, all attacks"
              + (f" but {', '.join(deny)}" if deny else "") + "):", flush=True)
        r = LWE.estimate(params, jobs=jobs, deny_list=tuple(deny))
        for k, v in r.items():
            if v is not None and v["rop"] != oo:
                record(section, label, k, v)
        print(f"   ({time.time() - t:.0f} s)", flush=True)


def mask_params(m, tag):
    return LWEParameters(n=N_RING, q=Q_MASK, Xs=ND.CenteredBinomial(4),
                         Xe=ND.Uniform(-2**19, 2**19 - 1), m=m, tag=tag)


def hinted_sigma_s(H):
    # s_1 given Σ_{h≤H} s_h (CBD(4) each): mean Σ/H, average variance 2(1 − 1/H)
    return math.sqrt(2 * (1 - 1 / H))


def hinted_sigma_e_average(H):
    # e_1 given Σ_{h≤H} e_h: average conditional variance σ²(1 − 1/H) (exact for H = 2:
    # uniform on an interval of length L − |E|, E[(L − |E|)²] = L²/2)
    return SIGMA_E * math.sqrt(1 - 1 / H)


def hinted_sigma_e_selected(H, m, N=M_ALL):
    """Effective error std when the attacker keeps the m of N coefficients whose
    error interval the hint E = Σ_h e_h pins down best.

    Near a corner of the cube, E = ±(H·L/2 − u) leaves the deficits t_h = L/2 ∓ e_h
    uniform on the simplex Σ t_h = u, so e_1 has std u·sqrt((H−1)/(H²(H+1))); such
    corners occur with probability 2·u^H/(H!·L^H), so the m best have u ≤ u_m =
    L·(H!·m/(2N))^(1/H), with density ∝ u^(H−1). After rescaling each row by its own
    std, the primal lattice sees the geometric mean: u_m·e^(−1/H)·sqrt(...)."""
    u_m = L_ERR * (math.factorial(H) * m / (2 * N)) ** (1 / H)
    if u_m >= L_ERR:
        return hinted_sigma_e_average(H)
    s = u_m * math.exp(-1 / H) * math.sqrt((H - 1) / (H * H * (H + 1)))
    return min(s, hinted_sigma_e_average(H))


def hint_selection_scan(H, jobs, quick, N=M_ALL):
    label = f"hint, {H} honest, best m of {N:,} samples"
    print(f"\n## {label}: Xs = D(σ={hinted_sigma_s(H):.3f}), Xe = D(σ(m)) per the selection model", flush=True)
    best = {}
    grid = [1024 + 256 * i for i in range(13)]  # 1,024 … 4,096
    for m in grid:
        se = hinted_sigma_e_selected(H, m, N)
        p = LWEParameters(n=N_RING, q=Q_MASK, Xs=ND.DiscreteGaussian(hinted_sigma_s(H)),
                          Xe=ND.DiscreteGaussian(se), m=m, tag=f"H{H}-m{m}")
        attacks = [("rough/usvp", partial(LWE.primal_usvp, red_cost_model=RC.ADPS16, red_shape_model="gsa")),
                   ("usvp", LWE.primal_usvp)]
        if not quick:
            attacks.append(("bdd", LWE.primal_bdd))
        line = [f"m {m:5d}  log2 σe {math.log2(se):5.2f}"]
        for name, f in attacks:
            c = f(p)
            v = lg(c["rop"])
            line.append(f"{name} 2^{v:.1f} (β {c.get('beta')})")
            if name not in best or v < best[name][0]:
                best[name] = (v, m, c)
        print("   " + "  ".join(line), flush=True)
    for name, (v, m, c) in best.items():
        SUMMARY.append(("hint", label, f"{name} (m {m})", v, c.get("beta")))
    if not quick:
        # the dual-hybrid at the primal optimum's m
        m = best["bdd"][1]
        se = hinted_sigma_e_selected(H, m, N)
        p = LWEParameters(n=N_RING, q=Q_MASK, Xs=ND.DiscreteGaussian(hinted_sigma_s(H)),
                          Xe=ND.DiscreteGaussian(se), m=m, tag=f"H{H}-m{m}")
        c = LWE.dual_hybrid(p)
        print(f"   dual_hybrid at m {m}: {c!r}", flush=True)
        record("hint", label, f"dual_hybrid (m {m})", c)


def main():
    ap = argparse.ArgumentParser(description="lattice-estimator figures for Tessera's RLWE mask")
    ap.add_argument("--quick", action="store_true", help="rough estimates only (a few minutes less)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel jobs for LWE.estimate (default 2)")
    a = ap.parse_args()
    full = not a.quick
    t0 = time.time()

    print(f"# Tessera RLWE mask: n {N_RING}, q 2^64, s ~ CBD(4) (σ √2), e ~ U[-2^19, 2^19) "
          f"(σ 2^{math.log2(SIGMA_E):.2f}), up to {BLOCKS:,} blocks = {M_ALL:,} LWE samples per secret")

    # 1. the mask
    run_estimate("mask", "mask, m = n (one block)", mask_params(N_RING, "tessera-m=n"), False, a.jobs)
    run_estimate("mask", "mask, m = 2n", mask_params(2 * N_RING, "tessera-m=2n"), full, a.jobs)
    run_estimate("mask", f"mask, m = {BLOCKS}·n", mask_params(M_ALL, "tessera-m=4883n"), full, a.jobs)
    # BKW is not implemented for a non-centred error; U[-2^19, 2^19) has mean -1/2.
    # Its centred twin U[-2^19+1, 2^19-1] has the same σ to 6 digits.
    twin = LWEParameters(n=N_RING, q=Q_MASK, Xs=ND.CenteredBinomial(4),
                         Xe=ND.Uniform(-2**19 + 1, 2**19 - 1), m=M_ALL, tag="tessera-centred-twin")
    print(f"\n## coded-BKW on the centred twin {twin!r}", flush=True)
    c = LWE.coded_bkw(twin)
    print(f"bkw                  :: {c!r}", flush=True)
    record("mask", f"mask, m = {BLOCKS}·n (centred twin)", "bkw", c)

    # 2. reference points
    he_t = LWEParameters(n=2048, q=2**54, Xs=ND.Ternary, Xe=ND.DiscreteGaussian(3.19), m=oo,
                         tag="HE-std-2048-54-ternary")
    he_g = LWEParameters(n=2048, q=2**54, Xs=ND.DiscreteGaussian(3.19), Xe=ND.DiscreteGaussian(3.19), m=oo,
                         tag="HE-std-2048-54-gaussian")
    # m = 2n, not oo: with m > n² and a bounded error, rough() adds Arora-GB with secret guessing,
    # which does not finish in reasonable time for a binary secret
    tfhe = LWEParameters(n=2048, q=2**64, Xs=ND.Binary, Xe=ND.TUniform(17), m=2 * 2048, tag="TFHE-rs-RLWE")
    # Arora-GB is left out for the Gaussian-error points: with m = oo it guesses secret
    # coefficients for hours, and for σ 3.19 it is far from competitive (no bounded support)
    run_estimate("reference", "HE standard 128-bit, ternary secret", he_t, full, a.jobs, deny=("arora-gb",))
    run_estimate("reference", "HE standard 128-bit, Gaussian secret", he_g, full, a.jobs, deny=("arora-gb",))
    run_estimate("reference", "TFHE-rs v1.4 RLWE key (n 2048, q 2^64, binary, TUniform(17))", tfhe, False, a.jobs)

    # 3. hints
    for H in (2, 3, 4):
        p = LWEParameters(n=N_RING, q=Q_MASK, Xs=ND.DiscreteGaussian(hinted_sigma_s(H)),
                          Xe=ND.DiscreteGaussian(hinted_sigma_e_average(H)), m=M_ALL,
                          tag=f"hint-average-H{H}")
        run_estimate("hint", f"hint, {H} honest, average variances", p, full and H == 2, a.jobs,
                     deny=("arora-gb",))
    for H in (2, 3, 4):
        hint_selection_scan(H, a.jobs, a.quick)
    # the same attack on a 100,000-value job (49 blocks)
    hint_selection_scan(2, a.jobs, True, N=49 * N_RING)

    # 4. ciphertext-only: y mod Δ = (a mod Δ)·s + e mod Δ, no message term (b = 32)
    run_estimate("mod-delta", "message-free instance mod Δ = 2^32 (b = 32)",
                 LWEParameters(n=N_RING, q=2**32, Xs=ND.CenteredBinomial(4),
                               Xe=ND.Uniform(-2**19 + 1, 2**19 - 1), m=M_ALL, tag="mod-delta"),
                 False, a.jobs)
    # ... and with the 2-honest selection hint (m = 2048): still out of reach
    se = hinted_sigma_e_selected(2, 2048)
    p = LWEParameters(n=N_RING, q=2**32, Xs=ND.DiscreteGaussian(1.0), Xe=ND.DiscreteGaussian(se), m=2048,
                      tag="mod-delta-hint-H2")
    print(f"\n## message-free instance mod Δ = 2^32 with the 2-honest selection hint\n{p!r}", flush=True)
    for name, f in (("rough/usvp", partial(LWE.primal_usvp, red_cost_model=RC.ADPS16, red_shape_model="gsa")),
                    ("usvp", LWE.primal_usvp)):
        c = f(p)
        print(f"{name:20s} :: {c!r}", flush=True)
        record("mod-delta", "message-free mod Δ = 2^32, 2-honest selection hint", name, c)

    print("\n# Summary: log2 of the estimated cost (rop); rough = ADPS16 core-SVP, others = MATZOV model")
    print(f"{'section':10s} {'instance':62s} {'attack':22s} {'log2 rop':>8s} {'β':>5s}")
    for section, label, attack, rop, beta in SUMMARY:
        b = "" if beta is None else str(beta)
        print(f"{section:10s} {label:62s} {attack:22s} {rop:8.1f} {b:>5s}")
    # one line per instance: the cheapest attack under each cost model
    rows = {}
    for section, label, attack, rop, beta in SUMMARY:
        col = "rough" if attack.startswith("rough/") else "full"
        r = rows.setdefault((section, label), {})
        if col not in r or rop < r[col][0]:
            r[col] = (rop, attack.replace("rough/", ""), beta)
    print("\n# Cheapest attack per instance: rough (ADPS16 core-SVP) | default model (MATZOV)")
    print(f"{'instance':66s} {'rough':>7s} {'attack':20s} | {'full':>7s} {'attack':20s}")
    for (section, label), r in rows.items():
        def cell(c):
            if c not in r:
                return f"{'-':>7s} {'':20s}"
            rop, att, beta = r[c]
            return f"{rop:7.1f} {att:20s}"
        print(f"{label:66s} {cell('rough')} | {cell('full')}")
    print(f"\ntotal run time {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
