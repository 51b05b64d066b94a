#!/usr/bin/env python3
"""Reference ε figures from Google's dp-accounting for Tessera's accountant tests.

Run: pip install dp-accounting==0.6.0 && python3 scripts/generate-dp-vectors.py
Writes protocol/vectors/dp-accounting.json: for each composition, ε from dp-accounting's
RdpAccountant (default orders) and PLDAccountant (value_discretization_interval 1e-4).
The Swift tests require: ours >= 0.99 * pld (never tighter than a tight accountant) and
ours <= 1.02 * rdp (never looser than an RDP accountant by more than 2%).
"""
import json, importlib.metadata
import dp_accounting
from dp_accounting import rdp, pld

cases = []
def add(mechanism, sigma, rounds, delta, q=None):
    inner = dp_accounting.GaussianDpEvent(sigma)
    if q is not None:
        inner = dp_accounting.PoissonSampledDpEvent(q, inner)
    ev = dp_accounting.SelfComposedDpEvent(inner, rounds)
    r = rdp.RdpAccountant(); r.compose(ev)
    p = pld.PLDAccountant(value_discretization_interval=1e-4); p.compose(ev)
    case = {"mechanism": mechanism, "noise_multiplier": sigma, "rounds": rounds, "delta": delta,
            "rdp_epsilon": r.get_epsilon(delta), "pld_epsilon": p.get_epsilon(delta)}
    if q is not None:
        case["sampling_rate"] = q
    cases.append(case)

for sigma in (0.8, 1.0, 2.0, 5.0):
    for rounds in (1, 10, 100):
        for delta in (1e-5, 1e-6):
            add("gaussian", sigma, rounds, delta)

for q in (0.01, 0.1):
    for sigma in (0.8, 1.1, 2.0):
        for rounds in (10, 100, 1000):
            add("poisson-subsampled-gaussian", sigma, rounds, 1e-5, q)

out = {"version": "tessera/vectors/dp-accounting/v1",
       "generator": "python3 scripts/generate-dp-vectors.py",
       "dp_accounting_version": importlib.metadata.version("dp-accounting"),
       "cases": cases}
with open("protocol/vectors/dp-accounting.json", "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(cases)} cases")
