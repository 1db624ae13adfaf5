"""Fixtures shared by the sync API's tests."""

from .test_sync import team  # noqa: F401  (a fixture: an inspection in progress, its lead and a stranger)
