"""
What the API takes and answers, as pydantic schemas (they make the OpenAPI
document). Answers are plain pydantic models built from dicts: ninja's Schema
adds a wrapper that reads Django model attributes, which the dicts do not
need and which cost a list of 20 articles about as much as its query.
"""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel

from articles.search.forms import MAX_QUERY_LENGTH

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 200
MAX_SLUG_LENGTH = 200
MAX_NAME_LENGTH = 100
TIME_FORMATS = (
    "`YYYY-MM-DD` (a whole day in the site's time zone) or an ISO 8601 time "
    "(`2024-12-05T14:00:00+08:00`; without an offset, the site's time zone)"
)


class ErrorItem(BaseModel):
    param: str = Field(description="The query parameter (or header) at fault.")
    message: str


class ErrorOut(BaseModel):
    error: str = Field(
        description="A stable code: bad_request, unknown_parameter, invalid_cursor, "
        "key_unknown, key_revoked, not_found, rate_limited."
    )
    message: str = Field(description="What went wrong, in the request's language.")
    errors: list[ErrorItem] = Field(default_factory=list)


class ArticleListParams(Schema):
    topic: str | None = Field(
        None, max_length=MAX_SLUG_LENGTH, description="Topic slug (see /topics)."
    )
    tag: str | None = Field(None, max_length=MAX_SLUG_LENGTH, description="Tag slug (see /tags).")
    source: str | None = Field(
        None, max_length=MAX_NAME_LENGTH, description="Source name, exactly, e.g. 人民日报."
    )
    since: str | None = Field(
        None, max_length=40, description=f"Published at or after: {TIME_FORMATS}."
    )
    until: str | None = Field(
        None,
        max_length=40,
        description=f"Published before (a date: up to the end of that day): {TIME_FORMATS}.",
    )
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="Search words (Chinese or English), as in the site's search; every word "
        "must occur. Results stay newest first.",
    )
    cursor: str | None = Field(
        None,
        max_length=MAX_CURSOR_LENGTH,
        description="`next_cursor` of the previous page; leave out for the first page.",
    )
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class TagListParams(Schema):
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)
    page_size: int = Field(100, ge=1, le=500)


class TopicRef(BaseModel):
    name: str
    slug: str


class TagOut(BaseModel):
    name: str
    slug: str
    url: str = Field(description="The tag's page on the site.")


class SourceOut(BaseModel):
    name: str
    homepage: str


class ImageOut(BaseModel):
    """An image a partner may redistribute (see api.media)."""

    url: str
    width: int | None = None
    height: int | None = None
    alt: str = ""
    caption: str = ""
    credit: str = ""


class ArticleOut(BaseModel):
    id: UUID = Field(description="Permanent identity (also accepted by /articles/{id}).")
    slug: str
    title: str
    summary: str = Field(description="The standfirst, or the start of the text.")
    body: str | None = Field(
        description="Full text as HTML; only with a partner key (X-API-Key), else null."
    )
    url: str = Field(description="The article's page on the site.")
    topic: TopicRef
    tags: list[TopicRef]
    source: SourceOut | None = Field(description="The outlet of reprinted copy.")
    source_url: str = Field(description="Link to the original, for reprints.")
    byline: str
    featured: bool
    published_at: datetime
    updated_at: datetime
    images: list[ImageOut] = Field(
        description="Images marked redistributable; only with a partner key, else []."
    )


class CorrectionOut(BaseModel):
    text: str
    created_at: datetime


class ArticleDetailOut(ArticleOut):
    corrections: list[CorrectionOut]


class ArticlePage(BaseModel):
    results: list[ArticleOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    next: str | None = Field(description="The URL of the next page; null at the end.")


class TopicOut(BaseModel):
    name: str
    slug: str
    description: str
    url: str = Field(description="The topic's page on the site.")


class TagPage(BaseModel):
    results: list[TagOut]
    next_cursor: str | None
    next: str | None
