"""Plain-data snapshots of documents (numbers, strings, lists, dicts — never ORM objects) and
their input hash. The same dict feeds the hash, the stored row and the PDF template.

Photos enter a snapshot as {"photo_id", "sha256"} from the stored Attachment rows: the hash
never re-reads a file. Every string is display-ready Vietnamese text."""

import hashlib
import json
import unicodedata
from datetime import date

from flask import current_app
from sqlalchemy import select

from models import Attachment, OrgUnit, User, db

from .addressing import (  # noqa: F401 (the snapshot builders import them from here)
    COMMITTEE_KINDS,
    body_name,
    committee_name,
    filing_line,
    focal_unit,
    name_lines,
    short_committee,
    upward_recipients,
)
from .choices import KINDS, TEMPLATE_VERSION

# The head of any other issuer, by the first words of its name (cơ quan chuyên môn, đơn vị sự nghiệp).
HEADS = (("văn phòng", "CHÁNH VĂN PHÒNG"), ("thanh tra", "CHÁNH THANH TRA"), ("sở", "GIÁM ĐỐC"),
         ("trung tâm", "GIÁM ĐỐC"), ("ban quản lý", "GIÁM ĐỐC"), ("ban", "TRƯỞNG BAN"), ("phòng", "TRƯỞNG PHÒNG"))
OWN_CODES = {"CHÁNH VĂN PHÒNG": "VP", "CHÁNH THANH TRA": "TTr"}  # the usual codes, not initials
# Characters the bundled font lacks and that slow layout badly (WeasyPrint #2811).
_REPLACEMENTS = str.maketrans({"\u2011": "-", "\u00ad": ""})
BLANK = "\u00a0" * 6  # the space left for the hand-written day, month and number of a draft


def clean(value):
    """NFC text without the characters the bundled font lacks, through nested data."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).translate(_REPLACEMENTS)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def input_hash(kind: str, snapshot: dict) -> str:
    """sha256 of the kind, the template version and the snapshot (canonical JSON)."""
    raw = json.dumps({"kind": kind, "template": TEMPLATE_VERSION, "data": snapshot},
                     ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def day_text(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def place_date(place: str, value: date | None, year: int) -> str:
    """ "Tân Hồng, ngày 05 tháng 02 năm 2024": days 1–9 and months 1–2 with a leading zero;
    a draft (no date yet) leaves the day and month blank."""
    if value is None:
        return f"{place}, ngày{BLANK}tháng{BLANK}năm {year}"
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"


def number_text(number: int | None, type_code: str, issuer_code: str) -> str:
    """ "05/TB-UBND" (numbers below 10 with a leading zero); blank before issue."""
    shown = f"{number:02d}" if number else BLANK
    return f"{shown}/{type_code}-{issuer_code}"


def unit_of(unit_id: int | None) -> OrgUnit | None:
    return db.session.get(OrgUnit, unit_id) if unit_id else None


def governing_line(unit: OrgUnit) -> str:
    """The governing body (cơ quan chủ quản) above the issuer: its parent, abbreviated."""
    parent = unit_of(unit.parent_id)
    if parent is None:
        return ""
    if parent.kind == "province":
        own_province = short_committee(parent.name).lower().removeprefix("ubnd ")
        own_province = own_province.removeprefix("tỉnh ").removeprefix("thành phố ")
        if unit.kind == "peoples_committee" and unit.name.lower().endswith(own_province):
            return ""  # the province's own People's Committee has no governing line
    return short_committee(committee_name(parent)).upper()


def issuer_code(unit: OrgUnit) -> str:
    """The issuer's abbreviation in the number: UBND for a People's Committee (province, commune,
    ward, special zone), VP for a Văn phòng, TTr
    for a Thanh tra, else the initials of its short name ("Sở Nội vụ" → SNV,
    an abbreviation kept whole)."""
    if unit.kind in COMMITTEE_KINDS:
        return "UBND"
    if (code := OWN_CODES.get(head_of(unit))) is not None:
        return code
    words = short_committee(unit.short_name or unit.name).replace("-", " ").split()
    letters = (w if w.isupper() and w.isalpha() else w[0] for w in words if w[0].isalpha())
    return "".join(letters).upper()[:10] or "VP"


def place_of(unit: OrgUnit) -> str:
    """The place name of the date line: the unit's, else the nearest ancestor's, else the setting."""
    current = unit
    while current is not None:
        if current.place_name:
            return current.place_name
        current = unit_of(current.parent_id)
    return current_app.config.get("PLACE_NAME", "")


def header(unit: OrgUnit, kind: str, *, issuer: str | None = None, code: str | None = None,
           governing: str | None = None, dated: date | None = None, year: int) -> dict:
    """The masthead of a draft: issuing body, number with its blank, place and (blank) date."""
    type_code = KINDS[kind].type_code
    code = code or issuer_code(unit)
    place = place_of(unit)
    issuer = issuer or committee_name(unit)
    governing = governing if governing is not None else governing_line(unit)
    return {"governing": governing, "governing_lines": name_lines(governing, width=30) if governing else [],
            "issuer": issuer.upper(), "issuer_lines": name_lines(issuer), "issuer_name": issuer, "issuer_code": code,
            "type_code": type_code, "type_name": KINDS[kind].type_name, "place": place, "year": year,
            "number_text": number_text(None, type_code, code), "place_date": place_date(place, dated, year),
            "issued": False}


AUTHORITIES = ("TM", "KT", "TL", "TUQ", "Q")


def authorities(unit: OrgUnit) -> set[str]:
    """The signature authorities the unit's settings allow (TM. and KT. when none are set)."""
    chosen = {a.strip().upper().rstrip(".") for a in (unit.signing_authorities or "").split(",")}
    return (chosen & set(AUTHORITIES)) or {"TM", "KT"}


def signature(unit: OrgUnit, signer: User | None) -> dict:
    """The signature block: TM. (a committee's collective), then by the signer's position KT.
    (a deputy), Q. (acting head), TL. (an office head by order) or TUQ. (by authorisation) —
    each only where the unit's settings allow it; otherwise the head signs."""
    title = " ".join((signer.title if signer else "").split())
    low = title.lower()
    allowed = authorities(unit)
    committee = unit.kind in COMMITTEE_KINDS
    head = "CHỦ TỊCH" if committee else head_of(unit)
    collective = ["TM. ỦY BAN NHÂN DÂN"] if committee and "TM" in allowed else []
    if low.startswith("quyền") and "Q" in allowed:
        lines = collective + [f"Q. {head}"]
    elif committee and low.startswith(("chánh văn phòng", "phó chánh văn phòng")) and "TL" in allowed:
        lines = [f"TL. {head}", _position(title, unit)]
    elif low.startswith("phó ") and "KT" in allowed:
        lines = collective + [f"KT. {head}", f"PHÓ {head}"]
    elif signer is None or low.startswith((head.lower(), "phó ")):
        lines = collective + [head]
    elif "TUQ" in allowed:
        lines = [f"TUQ. {head}", _position(title, unit)]
    else:
        lines = collective + [head]
    return {"lines": lines, "name": signer.full_name if signer else ""}


def _position(title: str, unit: OrgUnit) -> str:
    """The signer's own position in capitals, without the issuing unit's name it repeats."""
    for name in (committee_name(unit), short_committee(committee_name(unit)), unit.name):
        title = title.replace(name, "").strip()
    return title.upper()


def head_of(unit: OrgUnit) -> str:
    """The head's position in a non-committee signature: GIÁM ĐỐC of a sở, TRƯỞNG PHÒNG of a phòng."""
    words = " ".join(unit.name.lower().split()) + " "
    for prefix, head in HEADS:
        if words.startswith(prefix + " "):
            return head
    return "THỦ TRƯỞNG CƠ QUAN" if unit.kind == "department" else "THỦ TRƯỞNG ĐƠN VỊ"


def photo_index(attachment_ids: list[int]) -> dict[int, dict]:
    """{"photo_id", "sha256"} of each stored attachment, by id, in one query."""
    if not attachment_ids:
        return {}
    rows = db.session.execute(select(Attachment.id, Attachment.sha256).where(Attachment.id.in_(set(attachment_ids))))
    return {i: {"photo_id": i, "sha256": sha} for i, sha in rows.all()}


def photos_in(snapshot) -> dict[int | str, str]:
    """Every photo a snapshot shows: attachment id → sha256 (what the URL fetcher may serve); and
    every signature drawn on the tablet: "s<id>" → its PNG's sha256."""
    found: dict[int | str, str] = {}
    if isinstance(snapshot, dict):
        if "photo_id" in snapshot and "sha256" in snapshot:
            found[int(snapshot["photo_id"])] = snapshot["sha256"]
        if "signature_id" in snapshot and "sha256" in snapshot:
            found[f"s{int(snapshot['signature_id'])}"] = snapshot["sha256"]
        for value in snapshot.values():
            found.update(photos_in(value))
    elif isinstance(snapshot, list):
        for value in snapshot:
            found.update(photos_in(value))
    return found
