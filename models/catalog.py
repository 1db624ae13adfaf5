"""The count of changes to what the forms and list filters offer: plans, units, PAR areas, and
which units lead or support which task. Database triggers bump it in the transaction that makes
the change, whatever wrote it: inspection/data/caches.py derives them from what each remembered value
declares it reads; inspection/data/catalog.py remembers the choices per version."""

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from .base import db

CATALOG_ROW = 1  # the table's one row


class CatalogVersion(db.Model):
    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
