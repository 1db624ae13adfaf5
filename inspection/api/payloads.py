"""Reading JSON bodies: typed fields with clear messages (the API's equivalent of forms)."""

import base64
import binascii
from datetime import date, datetime

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import ValidationError
from ..language.text import nfc
from ..security.permissions import MAX_ID
from . import bp

MAX_TEXT = 5000


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH is refused before anything is read or stored."""
    mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return jsonify({"error": f"Yêu cầu quá lớn (tối đa {mb} MB mỗi lần gửi): không có dữ liệu nào được lưu. "
                             "Gửi từng mục, từng ảnh một.", "code": "too_large"}), 413


def body() -> dict:
    data = request.get_json(silent=True)
    if isinstance(data, list):  # one item per request: a retry then re-sends exactly that item
        raise ValidationError("Mỗi yêu cầu chỉ gửi một mục (một đối tượng JSON), không gửi cả lô: "
                              "không có dữ liệu nào được lưu.")
    if not isinstance(data, dict):
        raise ValidationError("Nội dung yêu cầu phải là một đối tượng JSON.")
    return data


def items(limit: int) -> list:
    """The items of a batch: {"items": [...]}, at most `limit`, or nothing is read."""
    data = request.get_json(silent=True)
    rows = data.get("items") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise ValidationError("Nội dung yêu cầu phải là {\"items\": [...]} với ít nhất một mục.", field="items")
    if len(rows) > limit:
        message = f"Mỗi lô tối đa {limit} mục ({len(rows)} mục được gửi): không có mục nào được lưu. Chia nhiều lô."
        raise ValidationError(message, field="items")
    return rows


def text(data: dict, name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"Trường {name} phải là chuỗi.", field=name)
    value = nfc(value)
    if required and not value:
        raise ValidationError(f"Thiếu trường {name}.", field=name)
    if len(value) > limit:
        raise ValidationError(f"Trường {name} tối đa {limit} ký tự.", field=name)
    return value


def moment(data: dict, name: str = "device_time") -> datetime:
    """An ISO 8601 instant with its offset (the device's clock)."""
    raw = data.get(name)
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"Trường {name} phải là thời điểm ISO 8601 có múi giờ.", field=name) from exc
    if value.tzinfo is None:
        raise ValidationError(f"Trường {name} phải có múi giờ.", field=name)
    return value


def integer(data: dict, name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_ID:
        raise ValidationError(f"Trường {name} phải là số nguyên.", field=name)
    return value


MINUTES_TEXTS = {"decision_number": 60, "decision_issuer": 200, "decision_summary": 400, "began": 5, "ended": 5,
                 "other_representatives": 2000, "strengths": MAX_TEXT, "team_recommendations": MAX_TEXT,
                 "unit_comments": MAX_TEXT}


def minutes_parts(data: dict) -> dict:
    """The parts of the minutes the team lead records on closing (all optional here)."""
    parts = {name: text(data, name, limit=limit) for name, limit in MINUTES_TEXTS.items()}
    raw = data.get("decision_date")
    if raw:
        try:
            parts["decision_date"] = date.fromisoformat(str(raw))
        except ValueError as exc:
            raise ValidationError("Trường decision_date phải là ngày ISO 8601 (YYYY-MM-DD).",
                                  field="decision_date") from exc
    return parts


def png(data: dict, name: str) -> bytes:
    """An image sent as base64 (a data: URL's prefix allowed)."""
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError(f"Thiếu trường {name}.", field=name)
    try:
        return base64.b64decode(value.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"Trường {name} phải là ảnh PNG mã hóa base64.", field=name) from exc
