import pytest


@pytest.fixture(autouse=True)
def _quick_forms(app, monkeypatch):
    """Tests post at once; test_minimum_filling_time sets the real minimum."""
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_SECONDS", 0)
