"""The English catalog covers every message a user can see: what pybabel extracts (templates, _(),
_l(), N_() and the messages services raise), the labels of every state vocabulary, and the message
constants of the services. Vietnamese is the source language, so a gap shows Vietnamese to an
English reader. To fill gaps: `make extract-messages`, translate, `make translations`."""

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
NOT_SHOWN = ("cli", "demo")  # demo data (inspection/demo/, signing/demo.py) and terminal output are not interface text
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as f:
        return read_po(f, locale="en")


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _source_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    return {m[2][0] if isinstance(m[2], tuple) else m[2] for m in found}


def _python_files():
    for path in sorted([*ROOT.glob("inspection/**/*.py"), *ROOT.glob("models/*.py")]):
        if not path.stem.startswith(NOT_SHOWN) and "demo" not in path.relative_to(ROOT).parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _is_vietnamese(node) -> bool:
    """A Vietnamese text constant (markup, such as a PDF warm-up page, is not a message)."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.isascii()
            and not node.value.lstrip().startswith("<"))


def _unmarked_strings() -> list[str]:
    """Module-level message constants and *_LABELS values written as bare Vietnamese strings."""
    found = []
    for path, tree in _python_files():
        for node in tree.body:
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            name = getattr(target, "id", "")
            values = node.value.values if isinstance(node.value, ast.Dict) and name.endswith("_LABELS") \
                else [node.value]
            found += [f"{path.relative_to(ROOT)}:{v.lineno} {name}: {v.value}" for v in values
                      if _is_vietnamese(v)]
    return found


def test_every_message_has_an_english_translation(catalog):
    missing = [_key(m) for m in catalog if m.id and ("fuzzy" in m.flags or not all(_strings(m)))]
    assert missing == []


def test_translations_keep_the_placeholders(catalog):
    broken = []
    for message in catalog:
        if not message.id:
            continue
        wanted = sorted(PLACEHOLDER.findall(_key(message)))
        for text in _strings(message):
            if text and sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append((_key(message), text))
    assert broken == []


def test_catalog_holds_every_message_in_the_source(catalog):
    known = {_key(m) for m in catalog if m.id}
    assert sorted(_source_messages() - known) == []


def test_labels_and_message_constants_are_marked_for_the_catalog():
    # Translated where they are shown (gettext(label), gettext(exc.message)), so they must be
    # extracted: wrap them with N_() (models.enums.N_ / inspection.language.i18n.N_).
    assert _unmarked_strings() == []


WTFORMS_CATALOG = ROOT / "translations" / "vi" / "LC_MESSAGES" / "wtforms.po"


def test_every_wtforms_message_has_a_vietnamese_translation():
    """WTForms ships no Vietnamese: each of its own messages (what a validator declared without a
    message says) is translated in our catalog, with its placeholders."""
    import wtforms

    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as f:
        theirs = {_key(m) for m in read_po(f) if m.id}
    with WTFORMS_CATALOG.open("rb") as f:
        ours = {_key(m): m for m in read_po(f, locale="vi") if m.id}
    assert theirs <= set(ours), sorted(theirs - set(ours))
    for key in theirs:
        for text in _strings(ours[key]):
            assert text and set(PLACEHOLDER.findall(key)) == set(PLACEHOLDER.findall(text)), key


@pytest.mark.parametrize(("locale", "shown", "not_shown"), [
    ("vi", "Vui lòng nhập thông tin này.", "This field is required."),
    ("en", "This field is required.", "Vui lòng nhập thông tin này."),
])
def test_a_validators_own_message_is_in_the_readers_language(client, tree, locale, shown, not_shown):
    """Changing one's password without the current one: the field's DataRequired() has no message of
    its own, so WTForms' is shown, in Vietnamese to a Vietnamese reader (it used to be English)."""
    from models import db
    from tests.auth.helpers import post, text
    from tests.factories import make_user, sign_in

    user = make_user(unit=tree["a"], locale=locale)
    db.session.commit()
    sign_in(client, user)
    page = text(post(client, "/account/password", {"current_password": "", "new_password": "x", "confirm": "x"}))
    assert shown in page and not_shown not in page
