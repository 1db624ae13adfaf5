"""PAR areas (lĩnh vực CCHC): data, since each province sets its own index per year."""

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db


class ParArea(db.Model):
    """ParArea — lĩnh vực cải cách hành chính (e.g. "Cải cách thủ tục hành chính"), grouping
    plan tasks and checklist criteria."""

    __tablename__ = "par_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


DEFAULT_AREAS = [
    ("CDDH", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    ("THECHE", "Cải cách thể chế"),
    ("TTHC", "Cải cách thủ tục hành chính"),
    ("BOMAY", "Cải cách tổ chức bộ máy hành chính"),
    ("CONGVU", "Cải cách chế độ công vụ"),
    ("TAICHINH", "Cải cách tài chính công"),
    ("CQS", "Xây dựng, phát triển chính quyền điện tử, chính quyền số"),
    ("TACDONG", "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội"),
]
