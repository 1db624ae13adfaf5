"""The progress report's chart for print: readable in black and white. Each bar is 100 % of its
group's tasks, cut into the vocabulary's categories, each with its own pattern (no colour needed)
and its count written in it; labels wrap, never cut; the rate stands at the end of the bar."""

from markupsafe import Markup, escape

from models.enums import TIMELINESS_LABELS

SERIES = ("done_on_time", "done_late", "awaiting_review", "on_track", "overdue")
FONT = "CCHC Liberation Serif"
# series → (fill of the pattern's ground, what is drawn on it, colour of the count written in it)
PATTERNS = {
    "done_on_time": ("#000", "", "#fff"),
    "done_late": ("#fff", '<path d="M0,8 L8,0" stroke="#000" stroke-width="2"/>', "#000"),
    "awaiting_review": ("#fff", '<circle cx="4" cy="4" r="1.4" fill="#000"/>', "#000"),
    "on_track": ("#fff", "", "#000"),
    "overdue": ("#9a9a9a", '<path d="M0,0 L8,8 M0,8 L8,0" stroke="#000" stroke-width="1.2"/>', "#000"),
}
LABEL_CHARS = 30
LINE = 15


def _text(x, y, body, *, size=12, anchor="start", weight="normal", fill="#000") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}" font-family="{FONT}">{escape(body)}</text>')


def wrap(label: str, chars: int = LABEL_CHARS) -> list[str]:
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _defs() -> str:
    out = ["<defs>"]
    for key, (ground, mark, _) in PATTERNS.items():
        out.append(f'<pattern id="pat-{key}" width="8" height="8" patternUnits="userSpaceOnUse">'
                   f'<rect width="8" height="8" fill="{ground}"/>{mark}</pattern>')
    return "".join(out + ["</defs>"])


def _bar(group: dict, y: float, left: int, plot: float) -> list[str]:
    lines = wrap(group["label"])
    height = max(len(lines) * LINE, 22)
    out = [_text(left - 8, y + 13 + i * LINE, line, anchor="end") for i, line in enumerate(lines)]
    total = sum(group[k] for k in SERIES)
    x = float(left)
    out.append(f'<rect x="{left}" y="{y + 2}" width="{plot:.1f}" height="18" fill="none" stroke="#000" '
               f'stroke-width="0.8"/>')
    for key in SERIES:
        if not total or not group[key]:
            continue
        w = plot * group[key] / total
        out.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="18" fill="url(#pat-{key})" '
                   f'stroke="#000" stroke-width="0.8"/>')
        if w >= 16:
            box = f'<rect x="{x + w / 2 - 7:.1f}" y="{y + 4}" width="14" height="14" fill="#fff"/>' \
                if PATTERNS[key][1] else ""
            colour = "#000" if box else PATTERNS[key][2]
            out.append(box + _text(x + w / 2, y + 15, str(group[key]), size=11, anchor="middle", fill=colour))
        x += w
    out.append(_text(left + plot + 6, y + 15, group["rate"], size=11, weight="bold"))
    return out, height + 10


def _legend(y: float, width: int) -> tuple[list[str], float]:
    out, x = [], 0.0
    for key in SERIES:
        label = TIMELINESS_LABELS[key]
        span = 22 + 6.2 * len(label) + 16
        if x + span > width:
            x, y = 0.0, y + 20
        out.append(f'<rect x="{x:.1f}" y="{y}" width="14" height="14" fill="url(#pat-{key})" stroke="#000" '
                   f'stroke-width="0.8"/>')
        out.append(_text(x + 20, y + 12, label, size=11))
        x += span
    return out, y + 24


def print_chart(title: str, groups: list[dict], *, width: int = 700, left: int = 230) -> Markup:
    """Bars in percent of each group's tasks, counts written, patterns for black and white."""
    plot = width - left - 110
    body, y = [], 44.0
    for group in groups:
        parts, used = _bar(group, y, left, plot)
        body += parts
        y += used
    axis = [_text(left + plot * k / 4, 36, f"{25 * k}%", size=10, anchor="middle") for k in range(5)]
    legend, height = _legend(y + 8, width)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="100%" role="img" '
           f'aria-labelledby="pdf-chart-t" class="chart">', f'<title id="pdf-chart-t">{escape(title)}</title>',
           _defs(), _text(0, 18, title, size=13, weight="bold"), *axis, *body, *legend, "</svg>"]
    return Markup("".join(out))
