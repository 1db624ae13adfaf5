"""The admin use cases, one import away: units, users, merges and bulk imports."""

from .imports import confirm_import, preview_import, template_bytes
from .merges import merge_units
from .units import (
    check_version,
    create_unit,
    deactivate_unit,
    deactivation_warnings,
    reactivate_unit,
    unit_choices,
    unit_detail,
    unit_values,
    update_unit,
)
from .users import (
    create_user,
    deactivate_user,
    has_password,
    reactivate_user,
    reset_password,
    update_user,
    user_values,
)

__all__ = [
    "check_version", "confirm_import", "create_unit", "create_user", "deactivate_unit", "deactivate_user",
    "deactivation_warnings", "has_password", "merge_units", "preview_import", "reactivate_unit",
    "reactivate_user", "reset_password", "template_bytes", "unit_choices", "unit_detail", "unit_values",
    "update_unit", "update_user", "user_values",
]
