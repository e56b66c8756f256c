import pytest
from django.test import Client

from api.keys import issue_key
from api.models import PartnerKey
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Most API tests make many requests; tests/api/test_rate_limits.py sets its own limits."""
    settings.API_RATE_LIMIT_ANONYMOUS = "10000/min"
    settings.API_RATE_LIMIT_PARTNER = "10000/min"


@pytest.fixture
def editor(db):
    return make_user("editor")


@pytest.fixture
def partner(db):
    """(PartnerKey, the key in clear)."""
    partner_key = PartnerKey(name="某新闻客户端")
    raw = issue_key(partner_key, by=None)
    return partner_key, raw


@pytest.fixture
def anon():
    return Client()


@pytest.fixture
def keyed(partner):
    """A client that sends the partner key on every request."""
    return Client(headers={"X-API-Key": partner[1]})
