"""Who a document goes to and who keeps it: recipients named as bodies ("UBND tỉnh Đồng Tháp",
"Sở Nội vụ", never a territory such as "Tỉnh Đồng Tháp"), the filing line "Lưu: VT, SNV." with
the drafting unit's short code, and unit names laid out in lines that never break a name."""

from sqlalchemy import select

from models import OrgUnit, db

from ..language.text import fold

COMMITTEE_KINDS = {"province", "peoples_committee", "district", "commune", "ward", "township", "special_zone"}
LINE_CHARS = 24  # characters of a masthead line (13 pt capitals in the 40 % column)


def committee_name(unit: OrgUnit) -> str:
    """The issuing body's name: a province or commune named as a place ("Tỉnh Đồng Tháp") issues
    as its People's Committee ("Ủy ban nhân dân tỉnh Đồng Tháp")."""
    name = unit.name
    if unit.kind not in COMMITTEE_KINDS or short_committee(name).startswith("UBND"):
        return name
    return f"Ủy ban nhân dân {name[:1].lower()}{name[1:]}"


def short_committee(name: str) -> str:
    return name.replace("Ủy ban nhân dân", "UBND").replace("Uỷ ban nhân dân", "UBND")


def body_name(unit: OrgUnit) -> str:
    """A recipient: the body, abbreviated as usual ("UBND tỉnh Đồng Tháp", "Sở Nội vụ")."""
    return short_committee(committee_name(unit))


def focal_unit(committee: OrgUnit | None) -> OrgUnit | None:
    """The committee's Nội vụ body (Sở Nội vụ, or a commune's office that keeps the reform work):
    the drafting unit of its reform documents and a recipient where the type needs it."""
    if committee is None:
        return None
    stmt = select(OrgUnit).where(OrgUnit.parent_id == committee.id, OrgUnit.is_active,
                                 OrgUnit.name_folded.contains("noi vu")).order_by(OrgUnit.id)
    return db.session.execute(stmt).scalars().first()


def doc_code(unit: OrgUnit | None) -> str:
    """The unit's short code of the filing line: its own setting, else the initials of its name."""
    if unit is None:
        return ""
    if unit.doc_code:
        return unit.doc_code
    words = [w for w in fold(unit.short_name or unit.name).replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words).upper()[:10]


def filing_line(drafting: OrgUnit | None) -> str:
    code = doc_code(drafting)
    return f"Lưu: VT, {code}." if code else "Lưu: VT."


def upward_recipients(unit: OrgUnit, ordering: OrgUnit, drafting: OrgUnit | None = None) -> list[str]:
    """A report going up: the body that ordered it, its Nội vụ body, the issuing committee's own
    leaders, the filing line."""
    lines = [f"{body_name(ordering)} (để báo cáo);"]
    focal = focal_unit(ordering)
    if focal is not None and focal.id != unit.id:
        lines.append(f"{body_name(focal)} (để theo dõi, tổng hợp);")
    if unit.kind in COMMITTEE_KINDS:
        lines.append(f"Chủ tịch, các Phó Chủ tịch {body_name(unit)};")
    return lines + [filing_line(drafting or unit)]


TERRITORIES = ("TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "XÃ", "PHƯỜNG", "THỊ TRẤN", "ĐẶC KHU")


WHOLE = ("ỦY BAN NHÂN DÂN", "CẢI CÁCH HÀNH CHÍNH", "HÀNH CHÍNH CÔNG", "HÀNH CHÍNH", "VĂN HÓA - THỂ THAO",
         "THỂ THAO", "TRUYỀN THANH", "NỘI VỤ", "TƯ PHÁP")  # never split inside


def name_lines(name: str, *, width: int = LINE_CHARS) -> list[str]:
    """A masthead name in lines that never break a name: "ỦY BAN NHÂN DÂN" on a line of its own,
    the place ("HUYỆN TÂN HỒNG", "XÃ AN PHƯỚC") kept whole on the last line, the rest broken
    between words: "PHÒNG TƯ PHÁP" / "HUYỆN TÂN HỒNG", never "… HUYỆN TÂN" / "HỒNG"."""
    upper = " ".join(name.upper().split())
    head = "ỦY BAN NHÂN DÂN"
    if upper.startswith(head + " "):
        return [head, *name_lines(upper[len(head) + 1:], width=width)]
    if len(upper) <= width:
        return [upper]
    words = _tokens(upper)
    for i in range(1, len(words)):
        rest = words[i:]
        if len(rest) >= 2 and rest[0] in TERRITORIES or (len(rest) >= 3 and " ".join(rest[:2]) in TERRITORIES):
            return _greedy(words[:i], width) + [" ".join(rest)]
    return _greedy(words, width)


def _tokens(upper: str) -> list[str]:
    """Words, with the phrases of WHOLE (and "THÀNH PHỐ", "THỊ XÃ", …) each as one token."""
    for phrase in WHOLE + tuple(t for t in TERRITORIES if " " in t):
        upper = upper.replace(phrase, phrase.replace(" ", "\u00a0"))
    return [t.replace("\u00a0", " ") for t in upper.split(" ")]


def _greedy(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
