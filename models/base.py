"""Declarative base, the `db` object and column types shared by every aggregate."""

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints: migrations drop and alter them by a name known in advance.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime (timestamptz); a naive one is refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session, which sends a plain SELECT to `info["read_bind"]` while a block
    has set one (inspection/data/replica.py: pages that tolerate seconds of lag read a streaming
    replica). Flushes, every other statement and SELECT … FOR UPDATE go to the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        reader = self.info.get("read_bind")
        if reader is not None and bind is None and not self._flushing and _plain_read(clause):
            return reader
        return super().get_bind(mapper, clause, bind=bind, **kwargs)


def _plain_read(clause) -> bool:
    return bool(getattr(clause, "is_select", False)) and getattr(clause, "_for_update_arg", None) is None


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: a stale save raises StaleDataError, shown to the user as a conflict."""

    version: Mapped[int] = mapped_column(nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}
