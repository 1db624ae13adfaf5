"""One vocabulary: each status has one label across the message catalog, the screens' templates,
the PDF templates and the Python strings that reach documents, exports and notifications
(DESIGN.md "One vocabulary", README glossary). A second spelling of a label fails here."""

import ast
import re
from pathlib import Path

from inspection.web import charts
from models.enums import FREE_FINDING_LABEL, TIMELINESS_LABELS, Timeliness

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# The one label of each status, and the other spellings seen before (anywhere, any case).
SPELLED_ELSEWHERE = {
    "Trong hạn": ("đang trong hạn", "đang thực hiện trong hạn", "đang thực hiện (trong hạn)"),
    "Hoàn thành quá hạn": ("quá hạn (đã hoàn thành)",),
    FREE_FINDING_LABEL: ("phát hiện khác",),
}
# Labels that stand for a status only when written alone (a whole label, header or chip).
ALONE = {"Quá hạn": "Quá hạn chưa hoàn thành", "Đúng hạn": "Hoàn thành đúng hạn",
         "Đang thực hiện trong hạn": "Trong hạn"}
# A two-level table header ("Đã hoàn thành: đúng hạn / quá hạn; Chưa hoàn thành: trong hạn / quá
# hạn") writes the second level alone, marked so.
SUB_HEADER = re.compile(r'<th[^>]*class="[^"]*\bsub\b[^"]*"[^>]*>[^<]*</th>')


def _catalog_ids() -> list[str]:
    ids, current = [], None
    for line in CATALOG.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[6:])]
            ids.append(current)
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            current = None if not line.startswith("msgid") else current
    return ["".join(parts) for parts in ids]


def _templates() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "templates").rglob("*.html")}


def _python_strings() -> dict[str, list[str]]:
    found = {}
    for folder in ("inspection", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found[str(path.relative_to(ROOT))] = [n.value for n in ast.walk(tree)
                                                  if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return found


def _texts_of_template(source: str) -> list[str]:
    """The labels a template writes: translated strings and the text between tags."""
    source = SUB_HEADER.sub("", source)
    called = re.findall(r'_\(\s*"([^"]*)"', source) + re.findall(r"_\(\s*'([^']*)'", source)
    between = [t.strip() for t in re.findall(r">([^<>{}]+)<", source)]
    return called + [t for t in between if t]


def _offences(where: str, texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        lowered = text.lower()
        for label, others in SPELLED_ELSEWHERE.items():
            found += [f"{where}: {text!r} spells {label!r} as {o!r}" for o in others if o in lowered]
        if text.strip() in ALONE:
            found.append(f"{where}: {text!r} alone; the label is {ALONE[text.strip()]!r}")
    return found


def test_a_status_label_is_spelled_one_way_everywhere():
    offences = _offences("messages.po", _catalog_ids())
    for name, source in _templates().items():
        offences += _offences(name, _texts_of_template(source))
    for name, strings in _python_strings().items():
        offences += _offences(name, strings)
    assert offences == []


def test_the_checker_sees_a_second_spelling():
    """The rule itself fails on the spellings the issue saw (so the test above can fail)."""
    seen = _texts_of_template('<th>{{ _("Đang trong hạn") }}</th><th class="num">Quá hạn</th>'
                              '<th class="sub">Quá hạn</th>')
    assert len(_offences("x", seen)) == 2
    assert _offences("x", ["Phát hiện khác"]) and _offences("x", ["Quá hạn (đã hoàn thành)"])


def test_charts_and_reminders_use_the_same_words():
    for key, label in TIMELINESS_LABELS.items():
        assert charts.LABELS[str(key)] == label
    assert TIMELINESS_LABELS[Timeliness.ON_TRACK] == "Trong hạn"
    assert TIMELINESS_LABELS[Timeliness.OVERDUE] == "Quá hạn chưa hoàn thành"
    # "Đôn đốc" (chasing) is for work already overdue; before the deadline a reminder says so.
    chasing = [m for m in _catalog_ids() if m.startswith("Đôn đốc")]
    assert chasing and all("quá hạn" in m for m in chasing)
    assert any(m.startswith("Sắp đến hạn") for m in _catalog_ids())
