"""``python -m monitor demo --drift``: input drift on a synthetic fraud-scoring stream (fixed seed).

A reference profile is fitted on "training" data, saved and reloaded (exact edges, digest
checked), then production batches stream through a sliding DriftMonitor while the
``amount`` feature gradually shifts, an upstream bug starts sending NaN for
``merchant_risk`` and a new merchant category appears (the unseen category is scored as its own
bin; the NaN and unseen shares also set each feature's data-quality band). Every evaluation
prints a compact table; a summary closes the run. Output is deterministic (no timings, fixed seed).
"""

from __future__ import annotations

from typing import Any, TextIO

import numpy as np

from .article import calculate_psi
from .drift_monitor import DriftMonitor, DriftReport
from .reference import Reference

NAMES = ["amount", "merchant_risk", "hour", "category"]
SEED = 20260123  # the article's publication date


def _batch(rng: np.random.Generator, n: int, step: int) -> np.ndarray:
    """Production rows at stream step ``step`` (0 = like the reference)."""
    shift = max(0, step - 3) * 0.12  # from step 4 on, amounts grow ~12% (log scale) per step
    amount = np.exp(rng.normal(3.5 + shift, 0.8, n))
    risk = rng.beta(2, 5, n)
    if step >= 6:  # upstream bug: a share of rows arrive without merchant_risk
        risk[rng.random(n) < 0.04 * (step - 5)] = np.nan
    hour = np.clip(np.round(rng.normal(14, 4, n)), 0, 23)
    category = rng.choice(6, n, p=[0.3, 0.25, 0.2, 0.15, 0.07, 0.03]).astype(np.float64)
    if step >= 8:  # a merchant category never seen in training
        category[rng.random(n) < 0.05] = 6
    return np.column_stack([amount, risk, hour, category])


def run_drift_demo(out: TextIO) -> int:
    rng = np.random.default_rng(SEED)
    w = out.write
    train = _batch(rng, 50_000, 0)
    ref = Reference.fit(train, bins=10, names=NAMES, categorical=["hour", "category"])
    reloaded = Reference.from_json(ref.to_json())  # what save()/load() write and check
    assert reloaded == ref
    digest = ref.to_json().split('"digest": "')[1][:19]
    w("monitor drift demo: synthetic fraud-scoring inputs, fixed seed\n")
    w(
        f"reference: {ref.rows} rows, features {', '.join(NAMES)}; "
        f"amount/merchant_risk = 10 quantile bins, hour/category = categorical\n"
    )
    w(f"reference file: {len(ref.to_json())} bytes, {digest}..., edges exact (float.hex)\n")

    window, slots, batch = 6000, 3, 2000
    dm = DriftMonitor(reloaded, window=window, slots=slots)
    w(
        f"window: sliding, {window} rows in {slots} sub-windows of {window // slots} "
        f"(fixed memory: {dm.memory_bytes} bytes of counts)\n"
    )

    first_alert: dict[str, int] = {}
    last: DriftReport | None = None
    steps = 12
    for step in range(steps):
        b = _batch(rng, batch, step)
        dm.update(b)
        rep = dm.evaluate()
        last = rep
        w(
            f"\n-- step {step + 1:>2}/{steps}: rows {rep.start}..{rep.end - 1} "
            f"({rep.rows} in window), worst band: {rep.band}\n"
        )
        w(rep.table() + "\n")
        for f in rep.features:
            if f.band in ("moderate", "significant") and f.name not in first_alert:
                first_alert[f.name] = step + 1

    assert last is not None
    w("\nsummary\n")
    for f in last.features:
        when = f"first alert at step {first_alert[f.name]}" if f.name in first_alert else "no alert"
        psi = "-" if f.psi is None else f"{f.psi:.4f}"
        w(
            f"  {f.name:<13} final PSI {psi:>7}  band {f.band:<11}  {when}; "
            f"window NaN {f.nan}, out-of-range/unseen {f.below + f.above + f.unseen}\n"
        )
    for f in last.features:
        if f.quality_band != "none":  # NaN / out-of-range / unseen shares rose (part of the band)
            w(
                f"  data-quality alert: {f.name}: NaN {100 * f.nan_rate:.1f}% (reference "
                f"{100 * f.ref_nan_rate:.1f}%), out of range {100 * f.out_of_range_rate:.1f}%, unseen "
                f"{100 * f.unseen_rate:.1f}% of the window -> quality band {f.quality_band} "
                f"(PSI band {f.psi_band})\n"
            )
    cur = _batch(np.random.default_rng(SEED + 1), 20_000, steps - 1)[:, 0]
    w(
        f"  article's calculate_psi(train amount, step-{steps} amount) = "
        f"{calculate_psi(train[:, 0], cur):.4f} (10 quantile bins, same value as its numpy code)\n"
    )
    w(f"  stream: {dm.rows_seen} rows binned in C; memory did not grow ({dm.memory_bytes} bytes)\n")
    return 0


def demo_drift_document() -> dict[str, Any]:
    """The drift demo's reference against its last step's production rows (step 12: amount
    shifted, merchant_risk partly NaN, a new category), as the ``monitor drift`` document."""
    from .report import drift_document, drift_window

    rng = np.random.default_rng(SEED)
    ref = Reference.fit(_batch(rng, 50_000, 0), bins=10, names=NAMES, categorical=["hour", "category"])
    dm = DriftMonitor(ref, window=6000, slots=1)
    dm.update(_batch(np.random.default_rng(SEED + 1), 6000, 11))
    w = drift_window(ref, dm)
    found = any(f["band"] == "significant" for f in w["features"])
    return drift_document(
        ref,
        [w],
        reference_source="demo training data",
        current_source="demo production rows, step 12",
        fail_on="significant",
        drift_found=found,
    )
