"""Text helpers: NFC on input, a folded form for diacritic-insensitive search."""

import unicodedata


def nfc(value: str | None) -> str:
    """The NFC form of `value`, stripped; control characters other than newline and tab removed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()


_DROPPED = {"Mn", "Cc", "Cf", "Cs", "Co", "Cn"}


def fold(value: str | None) -> str:
    """Lower case without diacritics or control characters, đ→d: "Khắc phục" and "khac phuc" fold alike."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    # marks go (diacritics); so do control characters, as in nfc(): a search term is typed text
    stripped = "".join(c for c in decomposed if c.isspace() or unicodedata.category(c) not in _DROPPED)
    return " ".join(stripped.lower().split())
