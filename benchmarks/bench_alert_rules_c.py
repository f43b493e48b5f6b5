"""Benchmark: AlertEngine.evaluate with its Threshold / RateOfChange rules on the C evaluators
(mon_rules, the default) against the same rules on the Python evaluators (the code before
issue 14), in the same run, interleaved, minimum of the rounds.

100 rules: 80 thresholds (for_, some with clear and keep_firing_for) and 20 rates of change;
the clock advances 15 s per evaluation; "transitions": values cycle so rules go pending, fire and
resolve; "quiet": every value constant and below its threshold.
"""

from __future__ import annotations

import time

from monitor.alerts import AlertEngine, RateOfChange, Rule, Threshold
from monitor.alerts.evaluators import compile_condition

from _common import SMOKE, write_results

SIGS = [f"x.s{i}" for i in range(100)]


def _rules() -> list[Rule]:
    out = []
    for i in range(80):
        clear = 8.0 if i % 3 == 0 else None
        out.append(
            Rule(
                f"t{i}",
                condition=Threshold(SIGS[i], ">", 10.0, clear=clear),
                for_=30 * (i % 3),
                keep_firing_for=15 * (i % 2),
            )
        )
    for i in range(80, 100):
        out.append(Rule(f"r{i}", condition=RateOfChange(SIGS[i], ">", "50%", "5m", resolution=20)))
    return out


def _engine(python: bool) -> AlertEngine:
    e = AlertEngine(_rules(), validate_signals=False)
    if python:  # the Python evaluators, as before the C rules
        for rt in e._runtimes:
            rt.c = None
            rt.ev = compile_condition(rt.rule.cond)
        e._bind()  # no C rules left: no batch
    return e


def _time(python: bool, n: int, quiet: bool) -> float:
    e = _engine(python)
    if quiet:  # every value below its threshold and constant: no rule leaves inactive
        snaps = [{s: 1.0 for s in SIGS}] * 16
    else:
        snaps = [{s: float((k * 7 + j) % 17) for j, s in enumerate(SIGS)} for k in range(16)]
    for k in range(50):  # warm up: histories full
        e.evaluate(snaps[k % 16], now=15.0 * k)
    t0 = time.perf_counter()
    for k in range(50, 50 + n):
        e.evaluate(snaps[k % 16], now=15.0 * k)
    return (time.perf_counter() - t0) / n


def main() -> None:
    rounds, n = (2, 20) if SMOKE else (7, 300)
    rows = []
    for quiet in (False, True):
        best = {"c": float("inf"), "python": float("inf")}
        for _ in range(rounds):
            for name in ("c", "python"):
                best[name] = min(best[name], _time(name == "python", n, quiet))
        what = "quiet" if quiet else "transitions"
        rows.append(
            {
                "benchmark": f"AlertEngine.evaluate, 100 rules, {what}",
                "c_rules_us": round(best["c"] * 1e6, 1),
                "python_evaluators_us": round(best["python"] * 1e6, 1),
                "ratio_c_over_python": round(best["c"] / best["python"], 3),
            }
        )
    print(
        write_results(
            "alert_rules_c",
            rows,
            "the same 100 rules on the C evaluators (mon_rule_step_many) and on the Python "
            "evaluators, interleaved, minimum of the rounds",
        )
    )


if __name__ == "__main__":
    main()
