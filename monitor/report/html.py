"""The HTML report: one self-contained file (inline CSS and SVG, no script, no external
resource, so it opens from disk or an e-mail attachment and makes no network request).

Layout: the verdict, the summary table (features sorted by severity; band cells coloured dark /
mid / light so they also read in greyscale, and always spelled out), then per feature the
reference vs current share of each bin, the per-bin PSI contributions and the NaN /
out-of-range / unseen counts; with ``--window``, a table of PSI per window; the latency
distribution on a log axis with P50 / P99 / P99.9 marked. The digest of the reference is shown
so the report can be tied to the JSON and the reference file.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..files import write_text_atomic
from .results import BAND_SEVERITY, UNITS_NS
from .svg import bars_pair, bars_signed, log_histogram

__all__ = ["render_report", "write_report"]

# band -> (background, text colour); luminance falls with severity (reads in greyscale).
BAND_STYLE = {
    "significant": ("#7f0000", "#ffffff"),
    "moderate": ("#e39a2d", "#000000"),
    "empty": ("#d9d9d9", "#000000"),
    "none": ("#e9f5e9", "#000000"),
}

CSS = """
body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}h3{font-size:14px;margin:18px 0 4px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}
th{background:#f0f0f0}td.l,th.l{text-align:left}.band{font-weight:bold;text-align:center}
.meta{font-size:12px;color:#444}.feat{margin:10px 0 22px}.verdict{font-size:16px;font-weight:bold}
"""


def _num(v: Any, p: int = 4) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:.{p}f}" if abs(v) >= 10**-p or v == 0 else f"{v:.2e}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def _band(b: str) -> str:
    bg, fg = BAND_STYLE.get(b, ("#ffffff", "#000000"))
    return f'<td class="band" style="background:{bg};color:{fg}">{escape(b)}</td>'


def _share(counts: list[int]) -> list[float]:
    t = sum(counts)
    return [c / t if t else 0.0 for c in counts]


def _drift_html(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    wins = doc["windows"]
    last = wins[-1]
    ref = doc["reference"]
    out.append(
        f'<p class="verdict">Drift verdict: {"DRIFT" if doc["drift"] else "no drift"} at or above '
        f"{escape(doc['fail_on'])}</p>"
    )
    out.append(
        f'<p class="meta">reference {escape(str(ref["source"]))} ({ref["rows"]:,} rows, {escape(ref["digest"])}); '
        f"current {escape(str(doc['current']['source']))} ({doc['current']['rows']:,} rows"
        f"{f', {len(wins)} windows' if len(wins) > 1 else ''}). PSI bands: below 0.1 none, 0.1-0.25 moderate, "
        "above 0.25 significant.</p>"
    )
    out.append("<h2>Summary</h2>")
    if len(wins) > 1:
        out.append(
            f'<p class="meta">Features below: the last window, rows {last["start"]:,}-{last["end"] - 1:,}.</p>'
        )
    feats = sorted(last["features"], key=lambda f: (BAND_SEVERITY.get(f["band"], 9), -(f["psi"] or 0.0)))
    out.append(
        '<table><tr><th class="l">feature</th><th>band</th><th>PSI</th><th>JS distance</th><th>TV</th>'
        "<th>n</th><th>NaN</th><th>below</th><th>above</th><th>unseen</th></tr>"
    )
    for f in feats:
        out.append(
            f'<tr><td class="l"><a href="#f-{escape(f["name"])}">{escape(f["name"])}</a></td>{_band(f["band"])}'
            f"<td>{_num(f['psi'])}</td><td>{_num(f['js_distance'])}</td><td>{_num(f['tv'])}</td>"
            f"<td>{_num(f['count'])}</td><td>{_num(f['nan'])}</td><td>{_num(f['below'])}</td>"
            f"<td>{_num(f['above'])}</td><td>{_num(f['unseen'])}</td></tr>"
        )
    out.append("</table>")
    if len(wins) > 1:
        names = [f["name"] for f in wins[0]["features"]]
        out.append("<h2>PSI per window</h2><table><tr><th>rows</th><th>worst band</th>")
        out += [f"<th>{escape(n)}</th>" for n in names]
        out.append("</tr>")
        for w in wins:
            out.append(f"<tr><td>{w['start']:,}-{w['end'] - 1:,}</td>{_band(w['band'])}")
            out += [f"<td>{_num(f['psi'])}</td>" for f in w["features"]]
            out.append("</tr>")
        out.append("</table>")
    out.append("<h2>Features</h2>")
    for f in feats:
        b = f["bins"]
        out.append(
            f'<div class="feat" id="f-{escape(f["name"])}"><h3>{escape(f["name"])} ({escape(f["kind"])})</h3>'
        )
        r = f["rates"]
        out.append(
            f'<p class="meta">band {escape(f["band"])}: the worse of the PSI band ({escape(f["psi_band"])}) and the '
            f"data-quality band ({escape(f['quality_band'])}; NaN {_pct(r['nan'])} vs "
            f"{_pct(r['reference_nan'])} in the reference, out of range {_pct(r['out_of_range'])} vs "
            f"{_pct(r['reference_out_of_range'])}, unseen {_pct(r['unseen'])} vs {_pct(r['reference_unseen'])})</p>"
        )
        out.append(
            f'<table><tr><th class="l">band</th><th>PSI</th><th>JS distance</th><th>TV</th><th>NaN</th>'
            f"<th>below range</th><th>above range</th><th>unseen</th><th>reference NaN</th></tr>"
            f"<tr>{_band(f['band'])}<td>{_num(f['psi'])}</td><td>{_num(f['js_distance'])}</td>"
            f"<td>{_num(f['tv'])}</td><td>{_num(f['nan'])}</td><td>{_num(f['below'])}</td>"
            f"<td>{_num(f['above'])}</td><td>{_num(f['unseen'])}</td><td>{_num(f['reference']['nan'])}</td></tr></table>"
        )
        out.append(
            bars_pair(b["labels"], _share(b["reference"]), _share(b["current"]), "share of values per bin")
        )
        if b["psi_contributions"] is not None:
            out.append(bars_signed(b["labels"], b["psi_contributions"], "PSI contribution per bin"))
        out.append("</div>")
    return out


def _latency_html(doc: dict[str, Any]) -> list[str]:
    unit = doc["unit"]
    v = doc["values"]
    out = ["<h2>Latency</h2>"]
    out.append(
        f'<p class="meta">{escape(str(doc["source"]))}: {doc["count"]:,} values; every quantile is within '
        f"{doc['relative_error']:.3%} of the exact order statistic (the histogram's bound); invalid "
        f"{doc['invalid']:,}, below range {doc['underflow']:,}, above range {doc['overflow']:,}.</p>"
    )
    out.append(
        "<table><tr>"
        + "".join(f"<th>{k}</th>" for k in ("count", "min", "P50", "P90", "P99", "P99.9", "max"))
    )
    out.append(
        f"</tr><tr><td>{doc['count']:,}</td>"
        + "".join(f"<td>{_num(v[k])} {unit}</td>" for k in ("min", "p50", "p90", "p99", "p999", "max"))
        + "</tr></table>"
    )
    ns = doc["ns"]
    marks = [
        (name, ns[k]) for name, k in (("P50", "p50"), ("P99", "p99"), ("P99.9", "p999")) if ns[k] is not None
    ]
    out.append(log_histogram(doc["buckets"], marks, UNITS_NS[unit], unit))
    return out


def render_report(drift_doc: dict[str, Any] | None, latency_doc: dict[str, Any] | None, title: str) -> str:
    """The report as one HTML string (see the module doc)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if drift_doc is not None:
        parts += _drift_html(drift_doc)
    if latency_doc is not None:
        parts += _latency_html(latency_doc)
    parts.append('<p class="meta">Written by monitor; self-contained (no script, no network request).</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(
    path: str,
    drift_doc: dict[str, Any] | None,
    latency_doc: dict[str, Any] | None,
    title: str = "monitor report",
) -> None:
    """Write :func:`render_report` to ``path`` atomically (unique temporary name, then rename)."""
    text = render_report(drift_doc, latency_doc, title)
    write_text_atomic(path, text)
