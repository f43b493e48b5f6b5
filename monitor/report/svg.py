"""Small inline SVG charts for the HTML report (own code, no plotting library: three chart
kinds of fixed shape, a few hundred bytes each, no fonts or scripts to embed; a library such as
matplotlib would add a 40 MB dependency and ~30 KB of SVG per chart, which breaks the 1 MB budget
of a 50-feature report)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["bars_pair", "bars_signed", "log_histogram"]

REF_FILL = "#b8b8b8"  # light grey: the reference
CUR_FILL = "#1f4e99"  # dark blue: the current window (light vs dark also in greyscale)


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _svg(w: int, h: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def bars_pair(labels: Sequence[str], ref: Sequence[float], cur: Sequence[float], title: str) -> str:
    """Reference vs current share per bin (grouped bars, shares in [0, 1])."""
    n = len(labels)
    bw = max(4.0, min(22.0, 520.0 / max(n, 1) / 2.4))
    gap = bw * 0.4
    w = int(50 + n * (2 * bw + gap) + 10)
    h = 150
    top = max([*ref, *cur, 1e-12])
    body = [f'<text x="4" y="12" font-size="11">{escape(title)}</text>']
    body.append(f'<line x1="46" y1="120" x2="{w - 6}" y2="120" stroke="#444"/>')
    body.append(f'<text x="42" y="30" font-size="9" text-anchor="end">{top:.0%}</text>')
    for i in range(n):
        x = 50 + i * (2 * bw + gap)
        for k, (v, fill) in enumerate(((ref[i], REF_FILL), (cur[i], CUR_FILL))):
            hh = 90 * v / top
            body.append(
                f'<rect x="{_n(x + k * bw)}" y="{_n(120 - hh)}" width="{_n(bw)}" height="{_n(hh)}" fill="{fill}">'
                f"<title>{escape(labels[i])}: {'reference' if k == 0 else 'current'} {v:.2%}</title></rect>"
            )
        if n <= 24:
            body.append(
                f'<text x="{_n(x + bw)}" y="132" font-size="8" text-anchor="middle">{escape(labels[i][:10])}</text>'
            )
    body.append(f'<rect x="50" y="140" width="8" height="8" fill="{REF_FILL}"/>')
    body.append('<text x="61" y="148" font-size="9">reference</text>')
    body.append(f'<rect x="120" y="140" width="8" height="8" fill="{CUR_FILL}"/>')
    body.append('<text x="131" y="148" font-size="9">current</text>')
    return _svg(w, h, body, title)


def bars_signed(labels: Sequence[str], values: Sequence[float], title: str) -> str:
    """Per-bin PSI contributions (each term is >= 0; the bar height is the term)."""
    n = len(labels)
    bw = max(4.0, min(30.0, 520.0 / max(n, 1) * 0.7))
    step = bw / 0.7
    w = int(50 + n * step + 10)
    h = 110
    top = max([*values, 1e-12])
    body = [f'<text x="4" y="12" font-size="11">{escape(title)}</text>']
    body.append(f'<line x1="46" y1="95" x2="{w - 6}" y2="95" stroke="#444"/>')
    body.append(f'<text x="42" y="30" font-size="9" text-anchor="end">{top:.3g}</text>')
    for i, v in enumerate(values):
        hh = 70 * max(v, 0.0) / top
        x = 50 + i * step
        body.append(
            f'<rect x="{_n(x)}" y="{_n(95 - hh)}" width="{_n(bw)}" height="{_n(hh)}" fill="#7a3b00">'
            f"<title>{escape(labels[i])}: {v:.4g}</title></rect>"
        )
    return _svg(w, h, body, title)


def log_histogram(
    buckets: Sequence[Sequence[int]], marks: Sequence[tuple[str, int]], unit_ns: int, unit: str
) -> str:
    """Latency distribution: bucket counts over a log-scaled time axis, with vertical marks
    (e.g. P50 / P99 / P99.9) at their values."""
    w, h = 720, 220
    left, right, base, height = 50, w - 20, 180, 140
    if not buckets:
        return _svg(w, 40, ['<text x="4" y="20" font-size="12">no latency values</text>'], "empty")
    lo = max(1, min(b[0] for b in buckets))
    hi = max(b[1] for b in buckets)
    llo, lhi = math.log10(lo), math.log10(max(hi, lo * 10))
    top = max(b[2] for b in buckets)

    def xs(v: float) -> float:
        return left + (right - left) * (math.log10(max(v, lo)) - llo) / (lhi - llo)

    body = [f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#444"/>']
    for b in buckets:
        x0, x1 = xs(b[0]), xs(b[1])
        hh = height * b[2] / top
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(base - hh)}" width="{_n(max(x1 - x0, 0.8))}" height="{_n(hh)}" fill="{CUR_FILL}"/>'
        )
    d = math.floor(llo)
    while d <= lhi:
        v = 10.0**d
        if v >= lo:
            x = xs(v)
            body.append(f'<line x1="{_n(x)}" y1="{base}" x2="{_n(x)}" y2="{base + 4}" stroke="#444"/>')
            body.append(
                f'<text x="{_n(x)}" y="{base + 15}" font-size="9" text-anchor="middle">{v / unit_ns:g} {unit}</text>'
            )
        d += 1
    dashes = ["4,2", "2,2", "1,1"]
    for k, (name, v) in enumerate(marks):
        x = xs(v)
        body.append(
            f'<line x1="{_n(x)}" y1="{base - height - 8}" x2="{_n(x)}" y2="{base}" stroke="#000" '
            f'stroke-dasharray="{dashes[k % 3]}"/>'
        )
        anchor, dx = ("end", -3) if x > w - 140 else ("start", 3)
        body.append(
            f'<text x="{_n(x + dx)}" y="{base - height - 10 + 11 * k}" font-size="10" text-anchor="{anchor}">'
            f"{escape(name)} {v / unit_ns:.4g} {unit}</text>"
        )
    body.append(
        f'<text x="{w // 2}" y="{h - 4}" font-size="10" text-anchor="middle">latency (log scale)</text>'
    )
    return _svg(w, h, body, "latency distribution, log axis")
