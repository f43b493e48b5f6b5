"""Results of the drift and latency commands as documents (:mod:`monitor.report.results`) and
as one self-contained HTML report with inline SVG charts (:mod:`monitor.report.html`)."""

from __future__ import annotations

from .html import render_report, write_report
from .results import BAND_SEVERITY, drift_document, drift_window, latency_document

__all__ = [
    "BAND_SEVERITY",
    "drift_document",
    "drift_window",
    "latency_document",
    "render_report",
    "write_report",
]
