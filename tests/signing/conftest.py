"""The signing tests' fixtures over the shared test PKI (tests/pki.py: the `pki` fixture)."""

import pytest

from tests.pki import Pki, use_test_token
from tests.reports.support import Demo


@pytest.fixture
def agency_token(app, ctx, pki, monkeypatch) -> Pki:
    use_test_token(app, pki, monkeypatch)
    return pki


@pytest.fixture
def demo(ctx) -> Demo:
    return Demo()


@pytest.fixture
def issued(demo, agency_token):
    """The demo conclusion issued and signed by the agency's key in the test token, committed."""
    from models import db

    from .test_agency import issue_conclusion

    document = issue_conclusion(demo)
    db.session.commit()
    return document
