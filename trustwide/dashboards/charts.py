"""Charts as server-side SVG: defined once in Python, the same markup inline on the page and
inside WeasyPrint PDFs. No JavaScript, nothing from a CDN (the CSP allows neither).

Every chart carries a one-sentence text summary and its data as a table; the SVG itself has a
<title> and <desc>, marks are labelled with their values, and series differ by marker shape
and dash pattern as well as colour, so nothing is told by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

INK, MUTED, LINE = "#1b1b1b", "#505a5f", "#b1b4b6"
# Series: colour, dash pattern, marker. Colours are distinguishable for common colour-vision
# deficiencies (blue / orange / dark grey), and the dash and marker differ too.
SERIES_STYLES = [
    ("#1a4f9c", "", "circle"),
    ("#b35900", "6 3", "square"),
    ("#3d3d3d", "2 3", "triangle"),
]
_counter = iter(range(1, 10**9))


@dataclass
class Chart:
    title: str
    summary: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    key: str = ""


def _fmt(value: float | None, unit: str, decimals: int = 1) -> str:
    """A figure to its KPI's decimals (Progress 8: 2), like KPI.format."""
    if value is None:
        return "–"
    return f"{value:.{decimals}f}{'%' if unit == '%' else ''}"


def _short(label: str, size: int = 26) -> str:
    """Axis labels are cut to fit; the full label is in the data table beside the chart."""
    return label if len(label) <= size else label[: size - 1] + "…"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def _open(width: int, height: int, title: str, summary: str) -> tuple[str, str]:
    n = next(_counter)
    tid, did = f"chart-title-{n}", f"chart-desc-{n}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{tid} {did}" '
        f'style="max-width:{width}px;font-family:system-ui,Arial,sans-serif;font-size:12px">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(summary)}</desc>'
    )
    return head, "</svg>"


def bar_chart(
    *,
    title: str,
    items: list[tuple[str, float | None, str]],
    unit: str = "%",
    reference: tuple[str, float] | None = None,
    better: str = "higher",
    summary: str = "",
    decimals: int = 1,
) -> Chart:
    """Horizontal bars, one per (label, value, note); a dashed reference line (national or
    target) labelled with its value. Missing values show their note instead of a bar."""
    values = [v for _, v, _ in items if v is not None]
    top = max([*values, reference[1] if reference else 0, 1.0])
    low = min([*values, reference[1] if reference else 0, 0.0])
    span = (top - low) or 1.0
    label_w, plot_w, row_h = 190, 330, 24
    width, height = label_w + plot_w + 90, 30 + row_h * max(1, len(items)) + 24
    if not summary:
        summary = _bar_summary(items, unit, reference, better, decimals)

    def x(v: float) -> float:
        return label_w + (v - low) / span * plot_w

    head, tail = _open(width, height, title, summary)
    parts = [head]
    for i, (label, value, note) in enumerate(items):
        y = 24 + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="{INK}">{escape(_short(label))}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 15}" fill="{MUTED}">{escape(note or "no data")}</text>'
            )
            continue
        x0, x1 = x(min(0.0, value)), x(max(0.0, value))
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 8}" '
            f'fill="{SERIES_STYLES[0][0]}"/>'
        )
        parts.append(
            f'<text x="{x1 + 4:.1f}" y="{y + 15}" fill="{INK}">{_fmt(value, unit, decimals)}</text>'
        )
    if reference:
        rx = x(reference[1])
        parts.append(
            f'<line x1="{rx:.1f}" y1="18" x2="{rx:.1f}" y2="{height - 20}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        parts.append(
            f'<text x="{rx:.1f}" y="{height - 6}" text-anchor="middle" fill="{INK}">'
            f"{escape(reference[0])} {_fmt(reference[1], unit, decimals)}</text>"
        )
    if low < 0:
        parts.append(
            f'<line x1="{x(0):.1f}" y1="18" x2="{x(0):.1f}" y2="{height - 20}" stroke="{MUTED}"/>'
        )
    parts.append(tail)
    columns = ["", "Value"] + ([reference[0]] if reference else [])
    rows = [
        [label, _fmt(value, unit, decimals) if value is not None else (note or "no data")]
        + ([_fmt(reference[1], unit, decimals)] if reference else [])
        for label, value, note in items
    ]
    return Chart(title, summary, mark_safe("".join(parts)), columns, rows)


def _bar_summary(items, unit, reference, better, decimals=1) -> str:
    known = [(label, v) for label, v, _ in items if v is not None]
    if not known:
        return "No values to show."
    best = max(known, key=lambda p: p[1]) if better == "higher" else min(known, key=lambda p: p[1])
    worst = min(known, key=lambda p: p[1]) if better == "higher" else max(known, key=lambda p: p[1])
    text = f"Best: {best[0]} at {_fmt(best[1], unit, decimals)}; lowest: {worst[0]} at {_fmt(worst[1], unit, decimals)}."
    if better == "lower":
        text = f"Best (lowest): {best[0]} at {_fmt(best[1], unit, decimals)}; highest: {worst[0]} at {_fmt(worst[1], unit, decimals)}."
    if reference:
        worse = [
            label
            for label, v in known
            if (v < reference[1] if better == "higher" else v > reference[1])
        ]
        text += f" {len(worse)} of {len(known)} worse than {reference[0].lower()} ({_fmt(reference[1], unit, decimals)})."
    return text


def line_chart(
    *,
    title: str,
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    unit: str = "%",
    better: str = "higher",
    summary: str = "",
    decimals: int = 1,
) -> Chart:
    """Up to three series over x_labels; points marked and the last point of each labelled."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = max(values, default=1.0)
    low = min(values, default=0.0)
    pad = max((top - low) * 0.15, 1.0)
    top, low = top + pad, max(0.0, low - pad) if low >= 0 else low - pad
    left, plot_w, plot_h, top_margin = 48, 420, 160, 16
    width, height = left + plot_w + 140, top_margin + plot_h + 40
    if not summary:
        summary = _line_summary(x_labels, series, unit, better, decimals)
    step = plot_w / max(1, len(x_labels) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top_margin + (top - v) / ((top - low) or 1) * plot_h

    head, tail = _open(width, height, title, summary)
    parts = [head]
    for frac in (0, 0.5, 1):
        v = low + (top - low) * frac
        _, y = xy(0, v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{LINE}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{v:.0f}</text>'
        )
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{top_margin + plot_h + 18}" text-anchor="middle" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    for s, (name, vs) in enumerate(series[:3]):
        colour, dash, marker = SERIES_STYLES[s]
        points = [(i, v) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            d = " ".join(
                f"{'M' if k == 0 else 'L'}{xy(i, v)[0]:.1f},{xy(i, v)[1]:.1f}"
                for k, (i, v) in enumerate(points)
            )
            parts.append(
                f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2.5"'
                f"{f' stroke-dasharray={chr(34)}{dash}{chr(34)}' if dash else ''}/>"
            )
        for i, v in points:
            px, py = xy(i, v)
            parts.append(_marker(marker, px, py, colour))
        if points:
            i, v = points[-1]
            px, py = xy(i, v)
            parts.append(
                f'<text x="{px + 8:.1f}" y="{py + 4 + s * 12:.1f}" fill="{INK}">{escape(name[:18])} '
                f"{_fmt(v, unit, decimals)}</text>"
            )
    parts.append(tail)
    columns = ["", *x_labels]
    rows = [[name, *[_fmt(v, unit, decimals) for v in vs]] for name, vs in series]
    return Chart(title, summary, mark_safe("".join(parts)), columns, rows)


def _line_summary(x_labels, series, unit, better, decimals=1) -> str:
    bits = []
    for name, vs in series:
        points = [(x_labels[i], v) for i, v in enumerate(vs) if v is not None]
        if len(points) < 2:
            if points:
                bits.append(f"{name}: {_fmt(points[0][1], unit, decimals)} in {points[0][0]} only")
            continue
        (a_label, a), (b_label, b) = points[0], points[-1]
        moved = (
            "unchanged"
            if abs(b - a) < 0.05
            else ("improved" if (b > a) == (better == "higher") else "worsened")
        )
        bits.append(
            f"{name} {moved} from {_fmt(a, unit, decimals)} ({a_label}) to {_fmt(b, unit, decimals)} ({b_label})"
        )
    return ("; ".join(bits) + ".") if bits else "No values to show."
