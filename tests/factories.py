"""Builders for articles in every state, relative to one `now`."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Source, Topic

_counter = itertools.count(1)


def make_topic(name=None, **kwargs):
    n = next(_counter)
    return Topic.objects.create(name=name or f"栏目{n}", **kwargs)


def make_source(name=None, **kwargs):
    return Source.objects.create(name=name or f"来源{next(_counter)}", **kwargs)


def make_article(
    *,
    title=None,
    topic=None,
    status=Article.Status.PUBLISHED,
    published_at=...,
    age=timedelta(hours=1),
    tags=(),
    **kwargs,
):
    """A published article from an hour ago unless told otherwise (published_at=None: no time)."""
    n = next(_counter)
    if published_at is ...:
        published_at = timezone.now() - age
    article = Article.objects.create(
        title=title or f"测试文章{n}号:人工智能产业发展",
        standfirst=kwargs.pop("standfirst", f"导语{n}"),
        body=kwargs.pop("body", f"<p>正文{n}</p>"),
        topic=topic or Topic.objects.first() or make_topic(),
        status=status,
        published_at=published_at,
        **kwargs,
    )
    if tags:
        article.tags.set(list(tags))
    return article


def make_unpublished_variants(*, topic=None, tags=(), prefix="隐藏"):
    """
    One article for every way an article can be invisible to readers:
    draft, in review, approved, unpublished (each with a past time), a
    published one scheduled for the future, a published one expired and a
    published one in the trash.
    Returns {kind: article}.
    """
    now = timezone.now()
    past = now - timedelta(hours=2)
    S = Article.Status
    variants = {
        "draft": dict(status=S.DRAFT, published_at=past),
        "review": dict(status=S.REVIEW, published_at=past),
        "approved": dict(status=S.APPROVED, published_at=past),
        "unpublished": dict(status=S.UNPUBLISHED, published_at=past),
        "draft-without-time": dict(status=S.DRAFT, published_at=None),
        "scheduled": dict(status=S.PUBLISHED, published_at=now + timedelta(hours=3)),
        "expired": dict(
            status=S.PUBLISHED, published_at=past, expires_at=now - timedelta(minutes=5)
        ),
        "trashed": dict(status=S.PUBLISHED, published_at=past, deleted_at=now),
    }
    return {
        kind: make_article(title=f"{prefix}{kind}文章", topic=topic, tags=tags, **fields)
        for kind, fields in variants.items()
    }


# The role groups made by migration 0003_roles.
ROLES = {"writer": "撰稿 Writer", "editor": "编辑 Editor", "chief": "总编 Chief editor"}


def ensure_roles():
    """
    The role groups as the migrations made them. Transactional tests flush the
    database afterwards, groups included; a later one that needs roles calls this.
    """

    from django.apps import apps

    # The migrations' functions mark each app's models_module while they make
    # permissions and then clear it: harmless on the migration state's apps,
    # but on the live registry it would stop every later post_migrate (the
    # flush of a transactional test) from making permissions again.
    models_modules = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        _grant_roles(apps)
    finally:
        for config in apps.get_app_configs():
            config.models_module = models_modules[config.label]


def _grant_roles(apps):
    import importlib

    for name, function in [
        ("0003_roles", "create_roles"),
        ("0007_audit_trail_and_first_publication", "grant_reverse_takedown"),
        ("wire:0002_roles", "grant_wire_permissions"),
        ("images:0002_roles", "grant"),
        ("api:0002_chief_editor_keys", "grant"),
    ]:
        app, _, name = name.rpartition(":")
        module = importlib.import_module(f"{app or 'articles'}.migrations.{name}")
        getattr(module, function)(apps, None)


def make_user(role, name=None):
    """A staff user in one of ROLES (any other role: staff without a group)."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(name or role, password="pw", is_staff=True)
    if role in ROLES:
        user.groups.add(Group.objects.get(name=ROLES[role]))
    return user


# Images ---------------------------------------------------------------------------


def jpeg_bytes(width=800, height=600, color=(200, 60, 40), *, mode="RGB", fmt="JPEG", **save):
    """A picture made here (never downloaded): a coloured panel with a lighter square."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    picture = PILImage.new("RGB", (width, height), color)
    ImageDraw.Draw(picture).rectangle(
        [width // 4, height // 4, width // 2, height // 2], fill=(250, 240, 200)
    )
    if mode != "RGB":
        picture = picture.convert(mode)
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save)
    return buffer.getvalue()


_colors = itertools.count(1)


def make_image(*, data=None, title=None, alt_text="替代文字", **kwargs):
    """An image in the library (renditions and all), from a generated picture."""
    from images.services import add_image

    if data is None:
        n = next(_colors)
        data = jpeg_bytes(480, 360, color=((n * 47) % 256, (n * 89) % 256, (n * 131) % 256))
    return add_image(
        data, filename=f"{title or 'image'}.jpg", title=title or "图片", alt_text=alt_text, **kwargs
    ).image
