"""N_() marks a message for the catalog where it is defined; it is translated where it is shown."""

from models.enums import N_  # one definition: models may not import from inspection

__all__ = ["N_"]
