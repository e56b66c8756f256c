import pytest

from tests.factories import make_topic


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def topic(db):
    return make_topic("业界新闻", description="行业动态")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes its images to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
