"""The floor plan of the package (docs/architecture.md), checked on the source itself.

- the import graph of ``monitor/`` (every import statement of every module, at module level,
  inside functions and under ``TYPE_CHECKING`` alike) has no cycle;
- only the modules that wrap a C unit import the compiled core (``monitor._ffi``);
- no module imports a private (underscore) name or module of another monitor module, except the
  listed entry points;
- the public API (``monitor.__all__``) is pinned: a name added or removed is a deliberate edit here.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

import monitor

PKG_DIR = os.path.dirname(os.path.abspath(monitor.__file__))

# The Python module of each C unit (csrc/mon_<unit>.*): the only importers of monitor._ffi.
C_UNIT_MODULES = {
    "monitor.latency.layout": "mon_hist (configuration, layout, raw entry points)",
    "monitor.latency.histogram": "mon_hist (recording, reading, codec)",
    "monitor.latency.window": "mon_hist_ring (windows of histograms on the shared C ring)",
    "monitor.latency.values": "mon_hist (values and quantile fractions to the C recording and reading calls)",
    "monitor.counters": "mon_service (request counters on the shared C ring)",
    "monitor.binning": "mon_bin (binning)",
    "monitor.quantiles": "mon_select (exact order statistics)",
    "monitor.drift": "mon_drift (TV, JS, PSI)",
    "monitor.drift_raw": "mon_drift (the raw entry points of the golden vectors)",
    "monitor.categories": "mon_service's error category names",
    "monitor.shared": "mon_shared (a finished request in one call, on the shared segment)",
    "monitor.sha256": "mon_sha256",
    "monitor.safety": "mon_monitor, mon_policy (the safety monitor and its compiled policy)",
    "monitor.ledger": "mon_ledger (the audit ledger and its verifier)",
    "monitor.alerts.c_rules": "mon_rules (threshold / rate-of-change rules and their state machine)",
}

# Private modules and the only modules allowed to import them.
PRIVATE_IMPORTERS = {
    "monitor._ffi": set(C_UNIT_MODULES),
    "monitor._monitor_cffi": {"monitor._ffi"},
    "monitor._demo": {"monitor.cli.demo"},
    "monitor._demo_drift": {"monitor.cli.demo"},
    "monitor._verify": {"monitor.cli.verify"},
}


def _modules() -> Iterator[tuple[str, str]]:
    for dirpath, dirnames, filenames in os.walk(PKG_DIR):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "__pycache__"))]
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, fn), os.path.dirname(PKG_DIR))
            parts = rel[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), os.path.join(dirpath, fn)


MODULES = dict(_modules())
PACKAGES = {name for name, path in MODULES.items() if path.endswith("__init__.py")}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if module in PACKAGES else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: str) -> Iterator[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import statement in the file."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    yield sub, None  # "from . import drift": the submodule itself
                else:
                    yield target, alias.name


# Import edges that go against the layers, each with the release that removes it.
DEPRECATED_EDGES = {
    (
        "monitor.latency.histogram",
        "monitor.exposition",
    ): "LatencyHistogram.to_prometheus(), deprecated for exposition.prometheus_text; removed in 0.3",
}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, _ in _imports(module, path):
            if target in MODULES and target != module and (module, target) not in DEPRECATED_EDGES:
                graph[module].add(target)
    return graph


def test_deprecated_edges_still_exist() -> None:
    """An allowance whose import is gone is removed from the list (it must not outlive it)."""
    for module, target in DEPRECATED_EDGES:
        assert any(t == target for t, _ in _imports(module, MODULES[module])), (module, target)


def test_the_walk_sees_the_package() -> None:
    assert "monitor" in MODULES and "monitor.drift" in MODULES and len(MODULES) > 20


def _find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(stack[stack.index(n) :] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return cycles


def test_no_import_cycle() -> None:
    cycles = _find_cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_cycles() -> None:
    assert _find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_only_c_unit_modules_import_the_compiled_core() -> None:
    assert set(C_UNIT_MODULES) <= set(MODULES), set(C_UNIT_MODULES) - set(MODULES)
    offenders = []
    for module, path in MODULES.items():
        for target, _ in _imports(module, path):
            allowed = PRIVATE_IMPORTERS.get(target)
            if allowed is not None and module not in allowed:
                offenders.append(f"{module} imports {target}")
    assert not offenders, offenders


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = []
    for module, path in MODULES.items():
        for target, name in _imports(module, path):
            if not target.startswith("monitor") or name is None:
                continue
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                offenders.append(f"{module}: from {target} import {name}")
    assert not offenders, offenders


PUBLIC_API = [
    "__version__",
    # errors
    "MonitorError",
    "InvalidArgumentError",
    "InvalidInputError",
    "InvalidTypeError",
    "EmptyWindowError",
    "ConfigMismatchError",
    "CorruptDataError",
    # service signals: categories, logs, service, the article's helpers
    "ErrorCategory",
    "Categoriser",
    "categorise_error",
    "InputValidationError",
    "BusinessRuleError",
    "StructuredLogger",
    "JsonFormatter",
    "StructuredAdapter",
    "input_hash",
    "ServiceMonitor",
    "Observation",
    "Snapshot",
    "PredictionMetrics",
    "predict_with_metrics",
    # alerts
    "Alert",
    "AlertEngine",
    "AlertState",
    "AllOf",
    "AnyOf",
    "Baseline",
    "BurnRate",
    "Not",
    "RateOfChange",
    "Router",
    "Rule",
    "RuleRef",
    "RuleStatus",
    "Severity",
    "Silence",
    "Threshold",
    "error_rate_rules",
    "load_rules",
    "slo_burn_rate_rules",
    # drift metrics, binning, references, drift windows
    "tv",
    "js",
    "psi",
    "drift_scores",
    "psi_contributions",
    "psi_contributions_raw",
    "DriftScores",
    "PSI_FLOOR_EPSILON_DEFAULT",
    "PSI_SMOOTHINGS",
    "BinCounts",
    "CodeCounts",
    "bin_counts",
    "bin_codes",
    "percentile",
    "Reference",
    "FeatureProfile",
    "DriftMonitor",
    "DriftReport",
    "FeatureDrift",
    "DriftProfile",
    "Profiler",
    "profile_batch",
    "merge_profiles",
    "calculate_psi",
    # latency and its exports
    "LatencyHistogram",
    "WindowedLatencyHistogram",
    "HistogramBucket",
    "HistogramLayout",
    "histogram_layout",
    "histogram_nbytes",
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    "SafetyMonitor",
    "load_policy",
    "parse_policy",
]


def test_public_api_is_pinned() -> None:
    assert sorted(monitor.__all__) == sorted(PUBLIC_API)
    assert len(monitor.__all__) == len(set(monitor.__all__))
    for name in monitor.__all__:
        assert hasattr(monitor, name), name


def test_public_names_live_in_public_modules() -> None:
    for name in monitor.__all__:
        obj = getattr(monitor, name)
        home = getattr(obj, "__module__", None)
        if isinstance(home, str) and home.startswith("monitor"):
            assert not any(p.startswith("_") for p in home.split(".")), f"{name} lives in {home}"


def test_invalid_input_error_is_the_renamed_class() -> None:
    """The deliberate rename (CHANGELOG.md): the old name is the same class for one release."""
    from monitor import errors

    assert monitor.InvalidInputError is monitor.InvalidArgumentError is errors.InvalidInputError
    assert issubclass(monitor.InvalidArgumentError, ValueError)
    assert issubclass(monitor.InvalidTypeError, monitor.InvalidArgumentError)
    assert issubclass(monitor.InvalidTypeError, TypeError)
    assert not issubclass(monitor.InvalidArgumentError, monitor.InputValidationError)
