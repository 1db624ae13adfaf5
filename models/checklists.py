"""Checklist templates (versioned) and their criteria."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow


class ChecklistTemplate(db.Model):
    """ChecklistTemplate — bộ tiêu chí kiểm tra: criteria grouped by PAR area. Templates are
    versioned: editing one that an inspection used makes a new version (same `family`); past
    inspections keep theirs."""

    __tablename__ = "checklist_template"
    __table_args__ = (UniqueConstraint("family", "version", name="uq_checklist_template_family_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(36), index=True)  # shared by every version
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # owner (the PC)
    description: Mapped[str] = mapped_column(Text, default="")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_template.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["ChecklistItem"]] = relationship(
        back_populates="template", order_by="ChecklistItem.position", lazy="selectin",
        cascade="all, delete-orphan")


class ChecklistItem(db.Model):
    """ChecklistItem — tiêu chí: one criterion to check, with guidance for the inspector and
    optional points."""

    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("par_area.id"))
    code: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    criterion: Mapped[str] = mapped_column(String(500))
    guidance: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items", lazy="raise")
    area: Mapped["ParArea | None"] = relationship(lazy="joined")  # noqa: F821
