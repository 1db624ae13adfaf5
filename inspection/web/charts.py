"""Server-generated SVG charts, shared by pages and PDFs (WeasyPrint runs no JavaScript).

Only presentation attributes are used (no style attributes: the CSP forbids inline styles)."""

from dataclasses import dataclass

from markupsafe import Markup, escape

from models.enums import SEVERITY_LABELS, TIMELINESS_LABELS

PALETTE = {"done_on_time": "#1e7a3c", "done_late": "#d9822b", "awaiting_review": "#e0b000",
           "on_track": "#1f4e8c", "overdue": "#b3261e", "cancelled": "#9aa0a6",
           "minor": "#e0b000", "major": "#d9822b", "critical": "#b3261e"}
# The timeliness words are the vocabulary's own (models.enums), never a second spelling.
LABELS = {**{str(key): label for key, label in TIMELINESS_LABELS.items()},
          **{str(key): label for key, label in SEVERITY_LABELS.items()}}


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


@dataclass
class Line:
    label: str
    colour: str
    values: list[float | None]  # one per x label; None leaves a gap
    captions: list[str]  # one per point, e.g. "8/10 (80,0%)"
    dashed: bool = False


def _open_svg(width: int, height: int, chart_id: str, title: str, description: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
            f'<title id="{chart_id}-t">{escape(title)}</title>',
            f'<desc id="{chart_id}-d">{escape(description)}</desc>',
            _text(0, 20, title, size=15, weight="bold")]


def line_chart(title: str, xlabels: list[str], lines: list[Line], *, y_max: float = 100, y_suffix: str = "%",
               width: int = 720, height: int = 300, chart_id: str = "line") -> Markup:
    """A line chart (e.g. a monthly trend of rates); each point carries its caption as a tooltip."""
    left, right, top, bottom = 52, 32, 40, 80
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(xlabels) - 1, 1)

    def xy(i, value):
        return left + i * step, top + plot_h * (1 - value / y_max)

    out = _open_svg(width, height, chart_id, title, _line_description(xlabels, lines))
    out += _grid(left, top, plot_w, plot_h, y_max, y_suffix)
    every = -(-len(xlabels) // 12)  # at most 12 labels on the axis, whatever the number of points
    out += [_text(left + i * step, top + plot_h + 20, label, size=12, anchor="middle")
            for i, label in enumerate(xlabels) if i % every == 0]
    for line in lines:
        out += _polyline(line, xlabels, xy)
    out += _line_legend(lines, height - 26)
    out.append("</svg>")
    return Markup("".join(out))


def _grid(left, top, plot_w, plot_h, y_max, suffix) -> list[str]:
    out = []
    for k in range(5):
        y = top + plot_h * k / 4
        value = y_max * (4 - k) / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d9dce1" '
                   f'stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, f"{value:g}{suffix}", size=12, anchor="end", fill="#5d636b"))
    return out


def _polyline(line: Line, xlabels: list[str], xy) -> list[str]:
    out, run = [], []
    dash = ' stroke-dasharray="6 4"' if line.dashed else ""
    for i, value in enumerate([*line.values, None]):
        if value is None:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                out.insert(0, f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
                              f'stroke-width="3"{dash}/>')
            run = []
            continue
        x, y = xy(i, value)
        run.append((x, y))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{line.colour}">'
                   f"<title>{escape(xlabels[i])} — {escape(line.label)}: {escape(line.captions[i])}</title></circle>")
    return out


def _line_legend(lines: list[Line], y: float) -> list[str]:
    out, x = [], 0
    for line in lines:
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        out.append(f'<line x1="{x}" y1="{y + 6}" x2="{x + 24}" y2="{y + 6}" stroke="{line.colour}" '
                   f'stroke-width="3"{dash}/>')
        out.append(_text(x + 30, y + 11, line.label, size=12))
        x += 50 + 7 * len(line.label)
    return out


def _line_description(xlabels: list[str], lines: list[Line]) -> str:
    parts = []
    for line in lines:
        points = ", ".join(f"{x}: {c}" for x, c, v in zip(xlabels, line.captions, line.values, strict=True)
                           if v is not None)
        parts.append(f"{line.label} — {points or 'không có số liệu'}")
    return "; ".join(parts)


@dataclass
class Value:
    label: str
    value: float
    caption: str
    colour: str = "#1f4e8c"


def bar_chart(title: str, values: list[Value], *, max_value: float = 100, width: int = 720,
              label_width: int = 250, chart_id: str = "bars") -> Markup:
    """A simple horizontal bar chart; each bar ends with its caption."""
    row, top = 30, 40
    plot = width - label_width - 140
    height = top + row * len(values) + 10
    description = "; ".join(f"{v.label}: {v.caption}" for v in values)
    out = _open_svg(width, height, chart_id, title, description)
    for i, v in enumerate(values):
        y = top + i * row
        w = max(v.value, 0) * plot / (max_value or 1)
        out.append(_text(label_width - 8, y + 15, _truncate(v.label, 34), anchor="end"))
        out.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="18" fill="{v.colour}">'
                   f"<title>{escape(v.label)}: {escape(v.caption)}</title></rect>")
        out.append(_text(label_width + w + 6, y + 16, v.caption, size=12, weight="bold"))
    out.append("</svg>")
    return Markup("".join(out))
