"""Benchmark: evaluating 100 alert rules against one snapshot (target <= 200 us).

Rule sets: 100 static thresholds (with for_, some with hysteresis), and a realistic mix (70
thresholds, 10 learned baselines, 10 rates of change, 5 composites, 4 SLO burn-rate rules, 1
per-category set). The clock advances 15 s per evaluation, so histories rotate as in production.
There is no Python peer that evaluates alerting rules in-process (Prometheus and Alertmanager do
it in Go, in another process), so the reference is the floor: a bare Python loop comparing 100
dictionary values with 100 thresholds, with no state, durations or histories.
"""

from __future__ import annotations

import itertools

from monitor import (
    AlertEngine,
    AllOf,
    Baseline,
    RateOfChange,
    Rule,
    error_rate_rules,
    signals,
    slo_burn_rate_rules,
)

from _common import time_per_call, write_results

CATS = signals.ERROR_CATEGORIES
LATENCY = tuple(signals.latency_quantile_name(q) for q in signals.LATENCY_QUANTILES)
FEATURES = [f"f{i}" for i in range(10)]


def snapshot(i: int) -> dict[str, float]:
    s: dict[str, float] = {name: 100.0 + 10 * k + (i % 7) for k, name in enumerate(LATENCY)}
    s.update({signals.error_rate_name(c): 0.001 * (1 + (i + k) % 3) for k, c in enumerate(CATS)})
    s.update(
        {
            signals.drift_name(f, m): 0.01 * ((i + k) % 5)
            for k, f in enumerate(FEATURES)
            for m in signals.DRIFT_METRICS
        }
    )
    s.update(
        {
            "saturation": 0.3,
            "throughput.received_rps": 100.0,
            "throughput.processed_rps": 99.0,
            "throughput.dropped_rps": 1.0,
            "slo.a.good": 999.0 * i,
            "slo.a.total": 1000.0 * i,
            "slo.b.good": 990.0 * i,
            "slo.b.total": 1000.0 * i,
        }
    )
    return s


def threshold_rules(n: int) -> list[Rule]:
    sigs = sorted(k for k in snapshot(0) if not k.startswith("slo."))
    out = []
    for i, sig in zip(range(n), itertools.cycle(sigs)):
        clear = None if i % 3 else 1e6 - 1
        out.append(Rule(f"t{i}", sig, ">", 1e6, clear=clear, for_="5m" if i % 2 else 0))
    return out


def mixed_rules() -> list[Rule]:
    rules = threshold_rules(70)
    rules += [
        Rule(f"b{i}", LATENCY[i % 4], ">", Baseline(k=3, history=60, min_history=10), for_="5m")
        for i in range(10)
    ]
    rules += [
        Rule(f"r{i}", condition=RateOfChange(signals.error_rate_name(CATS[i % 5]), ">=", "300%", "10m"))
        for i in range(10)
    ]
    rules += [Rule(f"c{i}", condition=AllOf(f"t{i}", f"r{i}", f"b{i}"), for_="2m") for i in range(5)]
    rules += slo_burn_rate_rules("a", "99.9%", good="slo.a.good", total="slo.a.total")
    rules += slo_burn_rate_rules("b", "99%", good="slo.b.good", total="slo.b.total")
    rules += error_rate_rules({"infrastructure": "2%"}, for_="5m")
    assert len(rules) == 100, len(rules)
    return rules


def bench_engine(rules: list[Rule]) -> float:
    eng = AlertEngine(rules)
    snaps = [snapshot(i) for i in range(64)]
    t = [0.0]
    it = itertools.cycle(range(64))

    def step() -> None:
        t[0] += 15.0
        eng.evaluate(snaps[next(it)], now=t[0])

    for _ in range(2000):  # fill the histories (8 h of 15 s evaluations)
        step()
    return time_per_call(step, number=2000, repeat=7)


def bench_floor(n: int) -> float:
    snap = snapshot(1)
    pairs = [(r.signal, float(r.threshold)) for r in threshold_rules(n)]  # type: ignore[arg-type]

    def step() -> None:
        fired = []
        for sig, thr in pairs:
            if snap[sig] > thr:
                fired.append(sig)

    return time_per_call(step, number=5000, repeat=7)


def main() -> None:
    floor = bench_floor(100)
    rows = []
    for name, rules in (("100 static thresholds", threshold_rules(100)), ("100 mixed rules", mixed_rules())):
        per = bench_engine(rules)
        rows.append(
            {
                "case": name,
                "monitor_us": per * 1e6,
                "floor_us": floor * 1e6,
                "ratio_vs_floor": per / floor,
                "target_us": 200.0,
                "meets_target": per <= 200e-6,
            }
        )
    readme = [
        {
            "what": "100 alert rules evaluated on a snapshot",
            "monitor": " / ".join(f"{r['monitor_us']:.3g} us" for r in rows) + " (thresholds / mixed)",
            "peer": f"bare Python loop of 100 comparisons {floor * 1e6:.3g} us",
            "ratio": " / ".join(f"{r['ratio_vs_floor']:.3g}x the floor" for r in rows),
        }
    ]
    table = write_results(
        "alerts",
        rows,
        readme=readme,
        notes=(
            "AlertEngine.evaluate with 100 rules against one ~50-signal snapshot, clock advancing 15 s per "
            "evaluation, histories warm. floor = bare Python loop of 100 dict lookups and comparisons "
            "(no state, durations, histories); no in-process peer exists (Prometheus evaluates rules in Go)."
        ),
    )
    print(table)


if __name__ == "__main__":
    main()
