"""
The image library: bad input answered in the desk with nothing written,
one image per content hash, renditions (EXIF gone, upright, focal-point
crops, never enlarged), the sanitizer's library-only figures, the alt text
check before publishing, deletion refused while used, permissions, and the
upload endpoint of the multi-file upload page.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles import workflow
from articles.models import Article
from articles.text import sanitize_html
from images import processing
from images.models import Image, ImageUsage
from images.services import add_image
from tests import image_samples as samples
from tests.factories import jpeg_bytes, make_article, make_image, make_user

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/images/image/add/"
UPLOAD_URL = "/admin/images/image/upload/"


def stored_files(media_root):
    root = Path(media_root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def editor_client(client, db):
    editor = make_user("editor")
    client.force_login(editor)
    client.user = editor
    return client


# Bad input, in the desk's add form ---------------------------------------------------------------

BAD_FILES = {
    "not an image": (samples.not_an_image, "not an image we can read"),
    "truncated JPEG": (samples.truncated_jpeg, "truncated"),
    "over 50 megapixels": (samples.bomb_png, "50 megapixels"),
    "SVG": (lambda: samples.SVG, "SVG files are not accepted"),
    "HTML/JPEG polyglot": (samples.polyglot_jpeg, "polyglot"),
    "animated GIF": (samples.animated_gif, "Animated images are not supported"),
    "HEIC": (samples.heic, "HEIC/HEIF"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_upload_gets_a_clear_message_keeps_the_form_and_writes_nothing(
    editor_client, case, _media_root
):
    make_bytes, message = BAD_FILES[case]
    response = editor_client.post(
        ADD_URL,
        {
            "upload": SimpleUploadedFile("upload.jpg", make_bytes(), content_type="image/jpeg"),
            "title": "保留的标题",
            "alt_text": "保留的替代文字",
            "credit": "新华社记者 张三",
            "redistributable": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, not a 500 or a redirect
    html = response.content.decode()
    assert message in html
    for kept in ("保留的标题", "保留的替代文字", "新华社记者 张三"):
        assert kept in html
    assert Image.objects.count() == 0
    assert stored_files(_media_root) == []


def test_upload_over_the_size_limit_is_refused_before_decoding(
    editor_client, settings, _media_root
):
    settings.IMAGE_MAX_UPLOAD_BYTES = 10_000
    data = jpeg_bytes(1600, 1200)
    assert len(data) > 10_000
    response = editor_client.post(
        ADD_URL,
        {"upload": SimpleUploadedFile("big.jpg", data), "title": "大图"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "the limit is 0 MB" in response.content.decode() or "limit" in response.content.decode()
    assert "大图" in response.content.decode()
    assert Image.objects.count() == 0
    assert stored_files(_media_root) == []


@pytest.mark.parametrize(
    ("make_bytes", "note"),
    [(samples.cmyk_jpeg, "CMYK"), (samples.png16, "16 bits")],
    ids=["CMYK JPEG", "16-bit PNG"],
)
def test_cmyk_and_16_bit_images_are_accepted_and_converted_to_8_bit_rgb(make_bytes, note):
    added = add_image(make_bytes(), filename="photo.jpg")
    assert added.created
    assert any(note in text for text in added.notes)
    image = added.image
    rendition = image.rendition("full", 320, "jpg")
    with processing.default_storage.open(rendition.name) as handle:
        stored = PILImage.open(handle)
        assert stored.mode == "RGB"
        assert stored.size == (rendition.width, rendition.height)


def test_a_path_in_the_file_name_never_reaches_the_storage(editor_client, _media_root):
    response = editor_client.post(
        ADD_URL,
        {"upload": SimpleUploadedFile("../../x.jpg", jpeg_bytes()), "alt_text": "图"},
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.title == "x"
    assert ".." not in image.file.name
    assert re.fullmatch(r"images/o/[0-9a-f]{2}/[0-9a-f]{64}\.jpg", image.file.name)
    files = stored_files(_media_root)
    assert files and all(f.startswith("images/") for f in files)
    assert not (Path(_media_root).parent / "x.jpg").exists()


def test_a_failing_storage_leaves_no_row_and_no_file(monkeypatch, _media_root):
    real_save = processing.StorageWrite.save
    calls = []

    def failing_save(self, name, data):
        calls.append(name)
        if len(calls) == 5:
            raise OSError("disk full")
        return real_save(self, name, data)

    monkeypatch.setattr(processing.StorageWrite, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        add_image(jpeg_bytes(), filename="a.jpg")
    assert Image.objects.count() == 0
    assert stored_files(_media_root) == []


# One image per content hash -----------------------------------------------------------------------


def test_the_same_file_twice_is_one_image_and_the_editor_is_told(editor_client):
    data = jpeg_bytes(640, 480)
    first = editor_client.post(ADD_URL, {"upload": SimpleUploadedFile("a.jpg", data)})
    assert first.status_code == 302
    image = Image.objects.get()
    second = editor_client.post(
        ADD_URL,
        {"upload": SimpleUploadedFile("again.jpg", data), "title": "另一个标题"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert Image.objects.count() == 1
    assert second.redirect_chain[0][0] == f"/admin/images/image/{image.pk}/change/"
    assert "already in the library" in second.content.decode()
    image.refresh_from_db()
    assert image.title == "a"


# Renditions -------------------------------------------------------------------------------------------


def test_exif_is_stripped_after_turning_the_picture_upright(_media_root):
    image = add_image(samples.exif_rotated_jpeg_with_gps(), filename="sideways.jpg").image
    assert (image.width, image.height) == (200, 300)  # turned: portrait
    names = processing.names_in(image.renditions) | {image.file.name}
    for name in names:
        with processing.default_storage.open(name) as handle:
            stored = PILImage.open(handle)
            assert not stored.getexif(), name  # no GPS, no orientation, nothing
            assert "exif" not in stored.info
        assert b"Exif" not in Path(_media_root, name).read_bytes()[:2048], name
    full = image.rendition("full", None, "jpg")
    with processing.default_storage.open(full.name) as handle:
        stored = PILImage.open(handle).convert("RGB")
        # The yellow corner (top-left as stored) is top-right once turned 90° clockwise.
        assert stored.getpixel((stored.width - 5, 5))[2] < 100
        assert stored.getpixel((5, 5))[2] > 150


def test_renditions_cover_every_crop_and_are_never_enlarged():
    image = add_image(jpeg_bytes(1000, 750), filename="a.jpg").image
    crops = image.renditions["crops"]
    assert set(crops) == {"full", "16x9", "4x3", "1x1", "og"}
    assert max(w for w, _h, _f in crops["full"]) == 1000
    assert [w for w, _h, _f in crops["full"]] == [320, 640, 960, 1000]
    for w, h, formats in crops["16x9"]:
        assert abs(w / h - 16 / 9) < 0.02
        assert formats == ["webp", "jpg"]
    assert crops["1x1"] == [[750, 750, ["jpg"]]]
    for name in processing.names_in(image.renditions):
        assert processing.default_storage.exists(name), name


def test_crops_follow_the_focal_point_and_get_new_names():
    # A wide picture: white on the left, black on the right.
    picture = PILImage.new("RGB", (1600, 600), "white")
    picture.paste((0, 0, 0), (800, 0, 1600, 600))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    image = add_image(buffer.getvalue(), filename="wide.jpg", focal_x=0.1, focal_y=0.5).image

    def square_brightness(img):
        rendition = img.rendition("1x1", None, "jpg")
        with processing.default_storage.open(rendition.name) as handle:
            return PILImage.open(handle).convert("L").resize((1, 1)).getpixel((0, 0)), rendition

    left, old = square_brightness(image)
    assert left > 200  # the square sits on the white left side
    from images.services import set_focal_point

    set_focal_point(image, 0.95, 0.5)
    image.save()
    right, new = square_brightness(image)
    assert right < 60  # now on the black right side
    assert new.name != old.name
    # The full picture does not depend on the focal point: kept as it was.
    assert image.rendition("full", None, "jpg").name.endswith("-full-1600.jpg")


# The body sanitizer keeps only library figures ----------------------------------------------------


def test_bodies_keep_library_figures_and_drop_any_other_image():
    body = sanitize_html(
        '<p>文</p><img src="https://elsewhere.example/x.jpg">'
        '<figure data-image-id="12" class="x" onclick="evil()"><img src="/y.png"><figcaption>说明</figcaption></figure>'
        '<figure data-image-id="abc"><img src="z.png"></figure>'
        '<figure data-image-id="0"></figure>'
    )
    assert "<img" not in body
    assert '<figure data-image-id="12"></figure>' in body
    assert "abc" not in body and 'data-image-id="0"' not in body
    assert "onclick" not in body


def test_unknown_figures_are_dropped_when_rendered(client, topic):
    image = make_image(caption="现场", credit="新华社记者 张三")
    article = make_article(
        topic=topic,
        body=f'<p>一</p><figure data-image-id="{image.pk}"></figure><figure data-image-id="999999"></figure>',
    )
    html = client.get(article.get_absolute_url()).content.decode()
    body = re.search(r'<div class="article-body">(.*?)</div>', html, re.S).group(1)
    assert body.count("<figure") == 1
    assert "现场" in body and "新华社记者 张三" in body
    assert 'loading="lazy"' in body


# Alt text before publishing ---------------------------------------------------------------------


def test_an_article_whose_images_lack_alt_text_cannot_be_published(topic):
    editor = make_user("editor")
    lead = make_image(alt_text="")
    inside = make_image(alt_text="", title="正文图")
    article = make_article(
        topic=topic,
        status=Article.Status.APPROVED,
        lead_image=lead,
        body=f'<p>x</p><figure data-image-id="{inside.pk}"></figure>',
    )
    with pytest.raises(ValidationError) as refused:
        workflow.publish(article, by=editor)
    message = " ".join(refused.value.messages)
    assert f"#{lead.pk}" in message and f"#{inside.pk}" in message
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED
    Image.objects.update(alt_text="有描述")
    workflow.publish(article, by=editor)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_the_desk_shows_the_alt_text_refusal(editor_client, topic):
    article = make_article(
        topic=topic, status=Article.Status.APPROVED, lead_image=make_image(alt_text="")
    )
    response = editor_client.post(
        f"/admin/articles/article/{article.pk}/workflow/publish/",
        {"publish_at": "", "expires_at": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Add alt text to every image before publishing" in response.content.decode()


# Where used, and deletion refused ----------------------------------------------------------------


def test_uses_follow_the_articles_and_protect_the_image(editor_client, topic):
    image = make_image()
    article = make_article(topic=topic, lead_image=image)
    other = make_article(topic=topic, body=f'<figure data-image-id="{image.pk}"></figure>')
    assert set(ImageUsage.objects.values_list("article_id", "role")) == {
        (article.pk, "lead"),
        (other.pk, "body"),
    }
    page = editor_client.get(f"/admin/images/image/{image.pk}/change/").content.decode()
    assert article.title in page and other.title in page

    response = editor_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # Django lists what protects it instead of deleting
    assert article.title in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()

    other.body = "<p>换了</p>"
    other.save()
    article.lead_image = None
    article.save()
    assert not ImageUsage.objects.exists()
    response = editor_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()


def test_deleting_an_image_removes_its_files(_media_root, django_capture_on_commit_callbacks):
    image = make_image()
    assert stored_files(_media_root)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert stored_files(_media_root) == []


# The desk: permissions, the grid, the focal point, the upload page -----------------------------------


def test_writers_upload_and_edit_their_own_images_only(client):
    writer = make_user("writer")
    someone = make_image(title="别人的图")
    client.force_login(writer)
    response = client.post(
        ADD_URL, {"upload": SimpleUploadedFile("mine.jpg", jpeg_bytes(500, 400))}
    )
    assert response.status_code == 302
    mine = Image.objects.get(title="mine")
    assert mine.uploaded_by == writer
    form = {"title": "改名", "alt_text": "说明", "focal_x": "0.5", "focal_y": "0.5"}
    assert client.post(f"/admin/images/image/{mine.pk}/change/", form).status_code == 302
    mine.refresh_from_db()
    assert mine.title == "改名"
    assert client.post(f"/admin/images/image/{someone.pk}/change/", form).status_code == 403
    someone.refresh_from_db()
    assert someone.title == "别人的图"


def test_the_library_grid_searches_and_offers_images_to_the_chooser(editor_client):
    make_image(title="长江大桥", credit="新华社")
    make_image(title="黄山日出", credit="人民日报")
    page = editor_client.get("/admin/images/image/?q=新华社").content.decode()
    assert "长江大桥" in page and "黄山日出" not in page
    popup = editor_client.get("/admin/images/image/?_popup=1&_to_field=id").content.decode()
    assert popup.count("data-popup-opener=") == 2


def test_clicking_sets_the_focal_point_and_remakes_the_crops(editor_client):
    image = make_image()
    old_square = image.rendition("1x1", None, "jpg").name
    response = editor_client.post(
        f"/admin/images/image/{image.pk}/change/",
        {"title": image.title, "alt_text": "图", "focal_x": "0.2", "focal_y": "0.8"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.2, 0.8)
    assert image.rendition("1x1", None, "jpg").name != old_square
    assert processing.default_storage.exists(image.rendition("1x1", None, "jpg").name)


def test_the_upload_endpoint_answers_each_file_in_json(editor_client):
    page = editor_client.get(UPLOAD_URL)
    assert (
        page.status_code == 200 and b'type="file"' in page.content and b"multiple" in page.content
    )
    data = jpeg_bytes(700, 500)
    created = editor_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("a.jpg", data)})
    assert created.status_code == 201
    assert created.json()["created"] is True and created.json()["thumbnail"]
    again = editor_client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("b.jpg", data)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert "already in the library" in again.json()["message"]
    refused = editor_client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("x.svg", samples.SVG)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert "SVG" in refused.json()["error"]
    assert Image.objects.count() == 1


def test_anonymous_users_cannot_upload(client):
    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Image.objects.count() == 0


def test_the_article_form_offers_the_chooser_and_the_editor_button(editor_client, topic):
    image = make_image(title="选中的图")
    article = make_article(topic=topic, status=Article.Status.DRAFT, lead_image=image)
    page = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'class="image-chooser"' in page
    assert image.thumbnail_url in page
    assert "images/prose-library-image.js" in page
    assert "LibraryImage" in page
