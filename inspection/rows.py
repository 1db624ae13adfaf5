"""The rows of the long lists, drawn once per process and remembered on everything they are drawn
from: the row's values, the language, the day in Asia/Ho_Chi_Minh (timeliness changes at midnight)
and where the app is mounted. A row whose values changed has another key, so nothing shown is
ever stale; only a macro that reads nothing but its row, those globals and url_for may be remembered.

In a template: `{% set draw = remembered(task_row) %}{% for t in page.items %}{{ draw(t) }}{% endfor %}`.
Drawing a 50-row task list took ~3.5 ms of the page's ~15 ms of CPU (bench/web.py); a remembered
row costs a hash and a dict lookup."""

from flask import Flask, request
from flask_babel import get_locale
from markupsafe import Markup

from .formatting import local_today

LIMIT = 10_000  # rows per process (~1 KB each); past it the memory starts over
_drawn: dict[tuple, Markup] = {}


def remembered(macro):
    """`macro(row)`, looked up first among the rows this process drew for this page's language,
    day and mount point."""
    page = (macro.name, str(get_locale()), local_today(), request.script_root)

    def draw(row) -> Markup:
        try:
            key = (page, tuple(row))
            html = _drawn.get(key)
        except TypeError:  # a value that cannot be hashed: draw it every time
            return macro(row)
        if html is None:
            if len(_drawn) >= LIMIT:
                _drawn.clear()
            html = _drawn[key] = macro(row)
        return html

    return draw


def register(app: Flask) -> None:
    app.jinja_env.globals["remembered"] = remembered
