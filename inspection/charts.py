"""Server-generated SVG charts, shared by pages and PDFs (WeasyPrint runs no JavaScript).

Only presentation attributes are used (no style attributes: the CSP forbids inline styles)."""

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = {"done_on_time": "#1e7a3c", "done_late": "#d9822b", "awaiting_review": "#e0b000",
           "on_track": "#1f4e8c", "overdue": "#b3261e", "cancelled": "#9aa0a6"}
LABELS = {"done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành quá hạn",
          "awaiting_review": "Chờ duyệt", "on_track": "Trong hạn", "overdue": "Quá hạn chưa hoàn thành",
          "cancelled": "Hủy"}


@dataclass
class Bar:
    label: str
    parts: dict[str, int]  # series key → count
    caption: str = ""  # shown at the end of the bar, e.g. "22/24 (91,7%)"


def _text(x, y, body, *, size=13, anchor="start", weight="normal", fill="#1d1f23") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}" font-family="Liberation Sans, Arial, sans-serif">'
            f"{escape(body)}</text>")


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def stacked_bars(title: str, bars: list[Bar], series: list[str], *, width: int = 720,
                 label_width: int = 250, chart_id: str = "chart") -> Markup:
    """A horizontal stacked bar chart with a legend; each bar's segments are counts."""
    row, top = 30, 40
    plot = width - label_width - 120
    height = top + row * len(bars) + 50
    biggest = max([sum(b.parts.values()) for b in bars] + [1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
           f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
           f'<title id="{chart_id}-t">{escape(title)}</title>',
           f'<desc id="{chart_id}-d">{escape(_description(bars, series))}</desc>',
           _text(0, 20, title, size=15, weight="bold")]
    for i, bar in enumerate(bars):
        out += _bar_row(bar, series, top + i * row, label_width, plot / biggest)
    out += _legend(series, height - 22)
    out.append("</svg>")
    return Markup("".join(out))


def _bar_row(bar: Bar, series: list[str], y: float, label_width: int, scale: float) -> list[str]:
    parts = [_text(label_width - 8, y + 15, _truncate(bar.label, 34), anchor="end")]
    x = label_width
    for key in series:
        w = bar.parts.get(key, 0) * scale
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="18" fill="{PALETTE[key]}">'
                         f"<title>{escape(LABELS[key])}: {bar.parts[key]}</title></rect>")
            x += w
    parts.append(_text(x + 6, y + 16, bar.caption, size=12, weight="bold"))
    return parts


def _legend(series: list[str], y: float) -> list[str]:
    out, x = [], 0
    for key in series:
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[key]}"/>')
        out.append(_text(x + 16, y + 11, LABELS[key], size=12))
        x += 30 + 7 * len(LABELS[key])
    return out


def _description(bars: list[Bar], series: list[str]) -> str:
    rows = []
    for bar in bars:
        counts = ", ".join(f"{LABELS[k]} {bar.parts.get(k, 0)}" for k in series if bar.parts.get(k))
        rows.append(f"{bar.label}: {bar.caption}" + (f" ({counts})" if counts else ""))
    return "; ".join(rows)


def progress_chart(title: str, groups, chart_id: str) -> Markup:
    """Stacked bars of Progress groups (inspection.plans.queries.Progress)."""
    series = ["done_on_time", "done_late", "awaiting_review", "on_track", "overdue"]
    bars = [Bar(g.label, {k: getattr(g, k) for k in series}, g.rate_text) for g in groups]
    return stacked_bars(title, bars, series, chart_id=chart_id)
