"""Exemplars (part of :mod:`monitor.exposition`): the newest traced request of each classic
bucket, as OpenMetrics and the protobuf format attach them."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from .model import Exemplar
from .names import escape_label_value, ns_to_seconds_str

EXEMPLAR_LABEL = "trace_id"
MAX_EXEMPLAR_CHARS = 128
"""OpenMetrics' limit on an exemplar's label names and values together (characters)."""


def exemplar_fits(trace_id: str) -> bool:
    return len(EXEMPLAR_LABEL) + len(trace_id) <= MAX_EXEMPLAR_CHARS


def exemplars_by_bucket(exemplars: Sequence[Exemplar], uppers: Sequence[int]) -> dict[int, Exemplar]:
    """The newest exemplar of each classic bucket (index ``len(uppers)`` is +Inf); exemplars
    are given oldest first."""
    out: dict[int, Exemplar] = {}
    for ex in exemplars:
        if exemplar_fits(ex.trace_id):
            out[bisect.bisect_left(uppers, ex.value_ns)] = ex
    return out


def exemplar_suffixes(exemplars: Sequence[Exemplar], uppers: Sequence[int]) -> dict[int, str]:
    return {
        k: f' # {{{EXEMPLAR_LABEL}="{escape_label_value(ex.trace_id)}"}} {ns_to_seconds_str(ex.value_ns)}'
        for k, ex in exemplars_by_bucket(exemplars, uppers).items()
    }
