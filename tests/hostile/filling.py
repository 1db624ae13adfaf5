"""Filling a form as a user would, for the battery's valid baseline: the form's own defaults, a
choice in every select, a benign value in every empty field, the spare lines of a list left blank,
a valid file in every file field; a stage may name the fields a user fills (stages.Stage.valid)."""

import io
import re
from datetime import timedelta

from inspection.language.formatting import local_today
from tests.factories import PDF_BYTES, make_photo

BENIGN_TEXT = "Nội dung thử nghiệm"
BENIGN_BY_NAME = {"code": "KB-HOSTILE-01", "username": "nguoi_dung_thu", "email": "thu.nghiem@example.gov.vn",
                  "number": "15/KH-UBND", "year": "2026", "signing_authorities": "TM, KT", "points": "1"}
TODAY = "15/03/2026"
LATER_DATES = {"new_deadline"}  # an extension's deadline lies after the current one: a date well ahead
ROW = re.compile(r".+-(\d+|__index__)-[^-]+")  # a field of one line of a list: items-3-code


def spare_rows(form) -> set[str]:
    """The lines of a list ("items-3") a form draws empty beside a line it draws filled: the spare
    lines (and the line template) a user leaves blank."""
    rows: dict[str, list[str]] = {}
    for f in form.fields.values():
        if ROW.fullmatch(f.name) and f.kind not in ("hidden", "submit"):
            rows.setdefault(f.name.rsplit("-", 1)[0], []).append(f.value)
    filled = {row.rsplit("-", 1)[0] for row, values in rows.items() if any(values)}
    return {row for row, values in rows.items() if not any(values) and row.rsplit("-", 1)[0] in filled}


def baseline(form, valid=None) -> dict:
    """A valid submission as far as the form itself tells: its defaults, a choice in every select,
    the spare rows of a list left as drawn; then `valid` (a stage's fields by name or by _part(),
    None leaving one out)."""
    data, spare = {}, spare_rows(form)
    for f in form.fields.values():
        if f.name.rsplit("-", 1)[0] in spare:  # as the browser sends a line nobody filled
            if f.kind != "checkbox":
                data[f.name] = f.value or (f.options[0] if f.kind == "select" and f.options else "")
        elif f.kind in ("text", "textarea", "password"):
            data[f.name] = f.value or BENIGN_BY_NAME.get(_part(f.name), BENIGN_TEXT)
        elif f.kind == "date":
            data[f.name] = f.value or (_later() if f.name in LATER_DATES else TODAY)
        elif f.kind == "number":
            data[f.name] = f.value or BENIGN_BY_NAME.get(_part(f.name), "1")
        elif f.kind == "select":
            data[f.name] = f.value or next((o for o in f.options if o), "")
        elif f.kind == "radio":
            data[f.name] = f.value or (f.options[0] if f.options else "")
        elif f.kind in ("hidden", "submit") or (f.kind == "checkbox" and f.value):
            data[f.name] = f.value
    data.pop("csrf_token", None)
    valid = valid or {}
    data = {name: valid[name] if name in valid else valid.get(_part(name), value) for name, value in data.items()}
    return {name: value for name, value in data.items() if value is not None}


def _part(name: str) -> str:
    """What a field of a list or of one record is called: items-3-points and points_21 → points."""
    return re.sub(r"_\d+$", "", name.rsplit("-", 1)[-1])


def _later() -> str:
    return (local_today() + timedelta(days=120)).strftime("%d/%m/%Y")


def with_files(form, data: dict) -> dict:
    """`data` plus a valid file in every file field (a photo where the field takes images)."""
    data = dict(data)
    for f in form.of_kind("file"):
        if f.name not in data:
            content = make_photo(size=(320, 240)) if "image" in f.accept else PDF_BYTES
            data[f.name] = (io.BytesIO(content), "anh.jpg" if "image" in f.accept else "tep.pdf")
    return data
