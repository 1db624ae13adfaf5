"""Fixtures of the report tests."""

import pytest

from .support import Demo


@pytest.fixture
def demo(ctx) -> Demo:
    """The demo province (UBND tỉnh Đồng Tháp), seeded inside the test's transaction."""
    return Demo()
