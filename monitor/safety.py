"""The runtime safety monitor (``csrc/mon_monitor.h``) from Python: envelopes, drift windows,
fault budgets, the health state machine and executed reactions, with every event in an audit
ledger (:class:`monitor.ledger.Ledger`) when one is given.

``SafetyMonitor(policy, reference, ledger=None)``: the policy (a :class:`monitor.policy.Policy`
or a TOML path) is compiled to its binary blob and decoded by the C core's ``mon_policy_decode``,
the very path a device takes; the reference's edges and counts bind the drift windows. Call
:meth:`SafetyMonitor.step` once per inference; it returns a frozen :class:`Verdict`. Inputs are
matched by feature name (a mapping) or taken in the reference's feature order (a sequence).

A SafetyMonitor is single-threaded, like the C object: one caller at a time (use one per
worker, or a lock). State machine, reactions and the policy schema: docs/safety.md.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._ffi import check, ffi, lib
from .errors import InvalidArgumentError, InvalidTypeError
from .policy import HEALTH_STATES, REACTIONS, VIOLATION_KINDS, Policy, load_policy
from .reference import Reference

__all__ = ["SafetyMonitor", "Verdict", "Health", "ActivationStats"]


class Health(enum.IntEnum):
    """Health states (the C enum ``mon_health``)."""

    INIT = int(lib.MON_HEALTH_INIT)
    HEALTHY = int(lib.MON_HEALTH_HEALTHY)
    DEGRADED = int(lib.MON_HEALTH_DEGRADED)
    FAULTED = int(lib.MON_HEALTH_FAULTED)
    STOPPED = int(lib.MON_HEALTH_STOPPED)


assert int(lib.MON_VIOL_COUNT) == len(VIOLATION_KINDS) and int(lib.MON_REACT_COUNT) == len(REACTIONS)
assert int(lib.MON_HEALTH_COUNT) == len(HEALTH_STATES)


@dataclass(frozen=True)
class ActivationStats:
    """One layer's activation statistics for one inference (host-computed)."""

    count: int
    out_of_range: int
    saturated: int
    max_value: float


@dataclass(frozen=True)
class Verdict:
    """What one step found and did (``mon_monitor_verdict``)."""

    step: int
    state: Health
    prev_state: Health
    violations: tuple[str, ...]  # kinds seen in this step
    warnings: tuple[str, ...]  # kinds whose reaction was warn or above
    reactions: tuple[str, ...]  # reactions executed
    counts: Mapping[str, int]  # violations per kind in this step (only kinds > 0)
    window_counts: Mapping[str, int]  # ... in the current budget window (only kinds > 0)
    inputs: tuple[float, ...]  # values to use (clamped where the clamp reaction replaced any)
    outputs: tuple[float, ...]
    inputs_clamped: int
    outputs_clamped: int
    window_faults: int
    drift_scored: bool
    drift_feature: str | None  # feature with the highest score at the last scoring
    drift_score: float  # that score (2^-32 resolution); 0 before any scoring
    drift_score_raw: int
    clock_back: bool
    rules_firing: tuple[str, ...]  # names of the rules firing after this step
    ledger_status: int
    ledger_entries: int

    @property
    def stopped(self) -> bool:
        return self.state is Health.STOPPED


_RANGE_T = "mon_monitor_range"


class SafetyMonitor:
    """The C monitor over a policy and a reference (see the module doc)."""

    def __init__(
        self, policy: Policy | str | os.PathLike[str], reference: Reference | None = None, ledger: Any = None
    ) -> None:
        if isinstance(policy, (str, os.PathLike)):
            policy = load_policy(os.fspath(policy))
        if not isinstance(policy, Policy):
            raise InvalidTypeError(f"policy must be a Policy or a path, got {type(policy).__name__}")
        if reference is not None and not isinstance(reference, Reference):
            raise InvalidTypeError(f"reference must be a monitor.Reference, got {type(reference).__name__}")
        doc = policy.document
        drift_on = doc["drift"]["mode"] != "off"
        if drift_on and reference is None:
            raise InvalidArgumentError(
                f"the policy's drift mode is {doc['drift']['mode']!r}: a reference is needed"
            )
        if reference is not None:
            names = [f.name for f in reference.features]
            missing = sorted(set(names) - set(doc["features"]))
            extra = sorted(set(doc["features"]) - set(names))
            if missing or extra:
                raise InvalidArgumentError(
                    f"policy features and reference features differ: missing in the policy {missing}, "
                    f"not in the reference {extra}"
                )
        else:
            names = list(policy.feature_names)
        self.policy = policy
        self.reference = reference
        self.feature_names: tuple[str, ...] = tuple(names)
        self.output_names: tuple[str, ...] = tuple(o["name"] for o in doc["outputs"])
        blob = policy.to_bytes(names)
        nf, no, nl = len(names), len(self.output_names), len(doc["layers"])
        self._feats = ffi.new("mon_monitor_feature[]", max(nf, 1))
        self._outs = ffi.new(f"{_RANGE_T}[]", max(no, 1))
        self._layers = ffi.new("mon_monitor_layer[]", max(nl, 1))
        nr = len(doc["rules"])
        self._rules = ffi.new("mon_monitor_rule[]", max(nr, 1))
        self.rule_names: tuple[str, ...] = tuple(r["name"] for r in doc["rules"])
        cfg = ffi.new("mon_monitor_config *")
        h = ffi.new("uint8_t[32]")
        check(
            lib.mon_policy_decode(
                blob, len(blob), self._feats, nf, self._outs, no, self._layers, nl, self._rules, nr, cfg, h
            ),
            "decoding the compiled policy",
        )
        self._keep: list[Any] = []
        if drift_on:
            assert reference is not None
            for i, fp in enumerate(reference.features):
                if fp.kind != "numeric":
                    raise InvalidArgumentError(
                        f"feature {fp.name!r} is {fp.kind}: the C monitor's drift windows take numeric features"
                    )
                edges = np.ascontiguousarray(fp.edges, dtype=np.float64)
                counts = np.ascontiguousarray(fp.counts, dtype=np.uint64)
                ce = ffi.new("double[]", edges.tolist())
                cc = ffi.new("uint64_t[]", [int(c) for c in counts])
                self._keep += [ce, cc]
                self._feats[i].nedges = len(edges)
                self._feats[i].edges = ce
                self._feats[i].reference = cc
        size = int(lib.mon_monitor_size(cfg))
        if size == 0:
            check(lib.mon_monitor_check_config(cfg), "checking the monitor configuration")
        self._mem = ffi.new("uint64_t[]", (size + 7) // 8)
        out = ffi.new("mon_monitor **")
        check(lib.mon_monitor_init(self._mem, size, cfg, out), "building the safety monitor")
        self._m = out[0]
        self._cfg = cfg
        self._v = ffi.new("mon_monitor_verdict *")
        self._in = ffi.new("double[]", nf)
        self._out = ffi.new("double[]", max(no, 1))
        self._act = ffi.new("mon_activation_stats[]", max(nl, 1))
        self._nl = nl
        self.ledger = None
        if ledger is not None:
            self.attach_ledger(ledger)

    # ------------------------------------------------------------------ ledger
    def attach_ledger(self, ledger: Any) -> None:
        """Record every state change, violation, reaction and reset in ``ledger`` (a
        :class:`monitor.ledger.Ledger`); ``None`` detaches."""
        handle = ffi.NULL if ledger is None else ledger.c_handle()
        check(lib.mon_monitor_attach_ledger(self._m, handle), "attaching the ledger")
        self.ledger = ledger

    # ------------------------------------------------------------------ stepping
    def _fill_inputs(self, inputs: Any) -> None:
        names = self.feature_names
        if isinstance(inputs, Mapping):
            missing = [n for n in names if n not in inputs]
            extra = sorted(str(k) for k in inputs if k not in set(names))
            if missing or extra:
                raise InvalidArgumentError(f"inputs: missing features {missing}, unknown features {extra}")
            vals = [inputs[n] for n in names]
        else:
            arr = np.asarray(inputs, dtype=np.float64)
            if arr.ndim != 1 or arr.shape[0] != len(names):
                raise InvalidArgumentError(
                    f"inputs must be {len(names)} values (features {list(names)}), got shape {arr.shape}"
                )
            vals = arr.tolist()
        for i, v in enumerate(vals):
            try:
                self._in[i] = float(v)
            except (TypeError, ValueError):
                raise InvalidTypeError(f"inputs: feature {names[i]!r} is {v!r}, not a number") from None

    def _fill_outputs(self, outputs: Any) -> int:
        names = self.output_names
        if outputs is None:
            outputs = ()
        if isinstance(outputs, Mapping):
            missing = [n for n in names if n not in outputs]
            extra = sorted(str(k) for k in outputs if k not in set(names))
            if missing or extra:
                raise InvalidArgumentError(f"outputs: missing {missing}, unknown {extra}")
            vals = [outputs[n] for n in names]
        else:
            vals = np.asarray(outputs, dtype=np.float64).reshape(-1).tolist()
            if len(vals) != len(names):
                raise InvalidArgumentError(
                    f"outputs must be {len(names)} values ({list(names)}), got {len(vals)}"
                )
        for i, v in enumerate(vals):
            self._out[i] = float(v)
        return len(vals)

    def _fill_activations(self, acts: Sequence[Any] | None) -> Any:
        if acts is None:
            return ffi.NULL
        if len(acts) != self._nl:
            raise InvalidArgumentError(f"activations must have {self._nl} layers, got {len(acts)}")
        for i, a in enumerate(acts):
            if not isinstance(a, ActivationStats):
                a = ActivationStats(*a)
            for what, v in (("count", a.count), ("out_of_range", a.out_of_range), ("saturated", a.saturated)):
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**64:
                    raise InvalidArgumentError(
                        f"activations[{i}].{what} must be an integer in [0, 2**64), got {v!r}"
                    )
            self._act[i].count = int(a.count)
            self._act[i].out_of_range = int(a.out_of_range)
            self._act[i].saturated = int(a.saturated)
            self._act[i].max_value = float(a.max_value)
        return self._act

    def step(
        self,
        inputs: Any,
        outputs: Any = None,
        *,
        tick: int,
        latency_ns: int = 0,
        activations: Sequence[Any] | None = None,
        fault_flags: int = 0,
    ) -> Verdict:
        """Judge one inference (see the module doc); returns its :class:`Verdict`."""
        for what, v, hi in (
            ("tick", tick, 2**64),
            ("latency_ns", latency_ns, 2**64),
            ("fault_flags", fault_flags, 2**32),
        ):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < hi:
                raise InvalidArgumentError(f"{what} must be an integer in [0, {hi}), got {v!r}")
        self._fill_inputs(inputs)
        no = self._fill_outputs(outputs)
        act = self._fill_activations(activations)
        check(
            lib.mon_monitor_step(
                self._m,
                int(tick),
                self._in,
                len(self.feature_names),
                self._out if no else ffi.NULL,
                no,
                int(latency_ns),
                act,
                int(fault_flags),
                self._v,
            ),
            "monitor step",
        )
        return self._verdict()

    def _verdict(self) -> Verdict:
        v = self._v
        nf, no = len(self.feature_names), len(self.output_names)
        ins = tuple(v.inputs[i] for i in range(nf))
        outs = tuple(v.outputs[i] for i in range(no)) if no else ()
        return Verdict(
            step=int(v.step),
            state=Health(int(v.state)),
            prev_state=Health(int(v.prev_state)),
            violations=tuple(k for i, k in enumerate(VIOLATION_KINDS) if v.violations >> i & 1),
            warnings=tuple(k for i, k in enumerate(VIOLATION_KINDS) if v.warnings >> i & 1),
            reactions=tuple(r for i, r in enumerate(REACTIONS) if v.reactions >> i & 1),
            counts={k: int(v.counts[i]) for i, k in enumerate(VIOLATION_KINDS) if v.counts[i]},
            window_counts={
                k: int(v.window_counts[i]) for i, k in enumerate(VIOLATION_KINDS) if v.window_counts[i]
            },
            inputs=ins,
            outputs=outs,
            inputs_clamped=int(v.inputs_clamped),
            outputs_clamped=int(v.outputs_clamped),
            window_faults=int(v.window_faults),
            drift_scored=bool(v.drift_scored),
            drift_feature=self.feature_names[int(v.drift_feature)]
            if v.drift_score or v.drift_scored
            else None,
            drift_score=int(v.drift_score) / 2**32,
            drift_score_raw=int(v.drift_score),
            clock_back=bool(v.clock_back),
            rules_firing=tuple(n for i, n in enumerate(self.rule_names) if v.rules_firing >> i & 1),
            ledger_status=int(v.ledger_status),
            ledger_entries=int(v.ledger_entries),
        )

    # ------------------------------------------------------------------ state
    @property
    def state(self) -> Health:
        return Health(int(lib.mon_monitor_state(self._m)))

    def reset(self, *, tick: int, reason: int = 0) -> None:
        """Explicit reset to INIT, when the policy's ``reset.allowed_from`` has the current
        state; logged either way. A refused reset raises InvalidArgumentError."""
        for what, v, hi in (("tick", tick, 2**64), ("reason", reason, 2**32)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < hi:
                raise InvalidArgumentError(f"{what} must be an integer in [0, {hi}), got {v!r}")
        before = self.state
        st = lib.mon_monitor_reset(self._m, int(tick), int(reason))
        if st == lib.MON_E_STATE and self.state is before:
            raise InvalidArgumentError(
                f"reset refused in state {before.name}: the policy allows it from "
                f"{self.policy.document['reset']['allowed_from']} (the refusal is in the ledger)"
            )
        check(st, "resetting the monitor")
