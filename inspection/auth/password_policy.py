"""Which new passwords are refused (ASVS 6.2.1, 6.2.4, 6.2.5, 6.2.9, 6.2.12), wherever one is set:
shorter than PASSWORD_MIN_LENGTH; on the bundled list of common passwords (data/common_passwords.txt,
Vietnamese ones and names + years included); built on the user's own name; or guessable by zxcvbn's
estimate below PASSWORD_MIN_SCORE (0-4), with the Vietnamese names, places and words of
data/vi_words.txt and the common list added to its dictionaries. No composition rules and no outside
service: government intranets are offline, so the lists ship with the code."""

import re
import unicodedata
from functools import cache
from pathlib import Path

from flask import current_app, has_request_context
from flask_babel import gettext
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES, build_ranked_dict

from ..errors import ValidationError
from ..language.i18n import N_
from ..language.text import fold

DATA = Path(__file__).resolve().parent / "data"
MAX_LENGTH = 200
ESTIMATED_CHARS = 72  # zxcvbn's own limit; what follows only makes a password stronger

TOO_SHORT = N_("Mật khẩu phải có ít nhất %(n)s ký tự.")
TOO_LONG = N_("Mật khẩu dài tối đa %(n)s ký tự.")
COMMON = N_("Mật khẩu này nằm trong danh sách mật khẩu phổ biến, loại kẻ gian thử đầu tiên. "
            "Hãy chọn mật khẩu khác.")
PERSONAL = N_("Mật khẩu không được chứa tên đăng nhập, họ tên hoặc địa chỉ thư điện tử của bạn.")
GUESSABLE = N_("Mật khẩu quá dễ đoán: %(reason)s Hãy dùng một cụm gồm ba, bốn từ không liên quan "
               "đến nhau, ví dụ “ghe-xuong-mua-trang”.")
NAME = N_("Mật khẩu chỉ gồm họ tên người (kèm số hoặc năm sinh) rất dễ đoán. Hãy chọn mật khẩu khác.")
# why zxcvbn found it weak, from the kind of its weakest part
REASONS = {
    "dictionary": N_("có từ thông dụng, tên người, địa danh hoặc mật khẩu phổ biến."),
    "spatial": N_("có dãy phím liền nhau trên bàn phím."),
    "repeat": N_("có ký tự hoặc cụm ký tự lặp lại."),
    "sequence": N_("có dãy liên tiếp như abc hoặc 123."),
    "date": N_("có ngày tháng hoặc năm dễ đoán."),
    "regex": N_("có năm dễ đoán."),
    "bruteforce": N_("quá ngắn hoặc quá đơn giản."),
}


class WeakPassword(ValidationError):
    """A new password the policy refuses; `text()` is its message in the user's language."""

    def __init__(self, message: str, field: str, **params):
        super().__init__(message, field=field)
        self.params = params

    def text(self) -> str:
        if not has_request_context():  # the CLI: Vietnamese
            return self.message % self.params
        params = {k: gettext(v) if isinstance(v, str) else v for k, v in self.params.items()}
        return gettext(self.message, **params)


def check_new_password(password: str, *, personal: tuple[str, ...] = (), field: str = "new_password") -> None:
    """Refuse `password` (WeakPassword with the reason) unless it meets the policy; `personal`:
    the user's username, full name and e-mail, which it may not be built on."""
    config = current_app.config
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        raise WeakPassword(TOO_SHORT, field, n=config["PASSWORD_MIN_LENGTH"])
    if len(password) > MAX_LENGTH:
        raise WeakPassword(TOO_LONG, field, n=MAX_LENGTH)
    key = fold(password).replace(" ", "")
    if key in common_passwords():
        raise WeakPassword(COMMON, field)
    words = [w for value in personal for w in _personal_words(value)]
    if any(whole in key for whole in _whole(personal)):
        raise WeakPassword(PERSONAL, field)
    if _only_a_name(key):
        raise WeakPassword(NAME, field)
    _register_dictionaries()
    estimate = zxcvbn(_without_marks(password)[:ESTIMATED_CHARS], user_inputs=words, max_length=ESTIMATED_CHARS)
    if estimate["score"] < config["PASSWORD_MIN_SCORE"]:
        raise WeakPassword(GUESSABLE, field, reason=_reason(estimate))


def _whole(personal: tuple[str, ...]) -> list[str]:
    """The username, the full name run together, the e-mail's local part: refused inside a password."""
    return [w for w in (fold(v.split("@")[0]).replace(" ", "") for v in personal) if len(w) >= 4]


def _personal_words(value: str) -> list[str]:
    """"Nguyễn Văn An", "an.nguyen@x.vn" → their parts, which zxcvbn guesses first."""
    folded = fold(value.split("@")[0])
    parts = [folded.replace(" ", "")] + folded.replace(".", " ").replace("_", " ").replace("-", " ").split()
    return [p for p in dict.fromkeys(parts) if len(p) >= 3]


def _only_a_name(key: str) -> bool:
    """Is the password, digits and signs aside, one to four name parts of vi_words.txt ("Trần Thị
    Hoa 1990", "nguyenvana@1985")? zxcvbn rates several words as strong, names included."""
    letters = re.sub(r"[^a-z]", "", key)
    names = name_parts()
    # reach[i]: fewest parts that spell letters[:i]; a last part of one letter is an initial ("a")
    reach = [0] + [99] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 8), end):
            part = letters[start:end]
            if part in names or (end == len(letters) and len(part) == 1 and start > 0):
                reach[end] = min(reach[end], reach[start] + 1)
    return bool(letters) and reach[-1] <= 4


def _reason(estimate: dict) -> str:
    """The kind of the longest guessable part (a word, a keyboard run, a date…)."""
    found = [m for m in estimate["sequence"] if m["pattern"] != "bruteforce"]
    longest = max(found, key=lambda m: len(m["token"]), default={"pattern": "bruteforce"})
    return REASONS.get(longest["pattern"], REASONS["bruteforce"])


def _without_marks(password: str) -> str:
    """Diacritics off, case kept: "Mật" is guessed as "Mat" is."""
    decomposed = unicodedata.normalize("NFD", password.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(_lines("common_passwords.txt"))


@cache
def name_parts() -> frozenset[str]:
    """The family, middle and given names of vi_words.txt."""
    parts, section = set(), ""
    for line in (DATA / "vi_words.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ["):
            section = line[3:-1]
        elif line and not line.startswith("#") and section in ("family", "middle", "given"):
            parts.add(line)
    return frozenset(parts)


@cache
def _register_dictionaries() -> None:
    """Add the Vietnamese words and the common list to zxcvbn's dictionaries (once per process)."""
    RANKED_DICTIONARIES["cchc_vietnamese"] = build_ranked_dict(_lines("vi_words.txt"))
    RANKED_DICTIONARIES["cchc_common"] = build_ranked_dict(_lines("common_passwords.txt"))


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return list(dict.fromkeys(line for line in text.splitlines() if line and not line.startswith("#")))
