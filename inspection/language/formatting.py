"""Vietnamese display: dd/mm/yyyy, Asia/Ho_Chi_Minh, decimal comma."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(UTC).astimezone(TZ).date()


def format_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(TZ).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def format_number(value, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (or ISO yyyy-mm-dd from a date input) → date; None when it is not a real date."""
    text = (text or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def unbroken(text, *names) -> Markup:
    """Template filter: `text` escaped, each of `names` in it kept on one line (a unit's name in a
    centred title is never broken mid-name: "… tại Ủy ban nhân dân" / "xã An Phước")."""
    out = escape(text or "")
    for name in sorted({n for n in names if n and isinstance(n, str)}, key=len, reverse=True):
        out = out.replace(escape(name), Markup('<span class="name">%s</span>') % name)
    return Markup(out)


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, number=format_number, unbroken=unbroken
    )
