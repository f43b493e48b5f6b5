"""OpenMetrics 1.0 text with exemplars (part of :mod:`monitor.exposition`).

Same families and values as the 0.0.4 text; counters are declared without ``_total`` (their
samples carry it), ``# UNIT`` where the name ends in its unit, ``# EOF`` at the end, and each
histogram bucket may carry the exemplar of the newest traced request that landed in it
(``# {trace_id="..."} <seconds>``). An exemplar whose label set would exceed the format's 128
characters is left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import HistogramValue, MetricFamily
from .names import escape_label_value, format_value, label_block
from .text import histogram_lines

CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def render_openmetrics(families: Iterable[MetricFamily], export_scale: object = "auto") -> str:
    """Every family in OpenMetrics 1.0 text, exemplars included, ending with ``# EOF``."""
    lines: list[str] = []
    for fam in families:
        lines.append(f"# TYPE {fam.name} {fam.type}")
        if fam.unit and fam.name.endswith("_" + fam.unit):
            lines.append(f"# UNIT {fam.name} {fam.unit}")
        lines.append(f"# HELP {fam.name} {escape_label_value(fam.help)}")
        sname = fam.sample_name
        for s in fam.samples:
            if isinstance(s.value, HistogramValue):
                lines += histogram_lines(fam.name, s.labels, s.value, export_scale, exemplar=True)
            else:
                lines.append(f"{sname}{label_block(s.labels)} {format_value(s.value)}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"
