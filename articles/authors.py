"""
Authors from bylines: the importers and the data migration read a free-text
byline ("记者 张三 李四", "特约撰稿人 王五") as a list of people. A byline that is
not only people's names ("新华社记者", "By Jane Doe", "本报评论员") stays text
only. The byline itself is kept either way: it is the plain-text credit of the
feeds, the API and exports; pages show the linked authors when there are any.
"""

import re

# Job titles that may precede names in a byline, longest first.
TITLES = (
    "特约撰稿人", "特约评论员", "特约撰稿", "特约记者", "实习记者", "本报记者", "本刊记者",
    "首席记者", "撰稿人", "通讯员", "记者", "作者", "文",
)  # fmt: skip
# A person's name in Chinese: two to four Han characters (with the middle dot of
# transliterated names); an organisation ends like one and never counts as a name.
NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]+·[\u4e00-\u9fff·]+)$")
ORGANISATION_ENDINGS = (
    "社", "报", "网", "台", "刊", "部", "中心", "集团", "公司", "新闻", "编辑", "评论员",
    "记者", "讯", "报道", "编译", "撰稿",
)  # fmt: skip
SEPARATORS = re.compile(r"[\s,，、/／|｜;；]+")


def parse_byline(byline):
    """
    [(name, title), ...] when the byline names only people, else None.
    "记者 张三 李四" → [("张三", "记者"), ("李四", "记者")]; "新华社记者" → None.
    """
    people, title = [], ""
    for part in SEPARATORS.split((byline or "").strip()):
        if not part:
            continue
        if part in TITLES:
            title = part
            continue
        for known in TITLES:
            # "记者张三"; never 文 as a prefix, a common surname (文天祥).
            if known != "文" and part.startswith(known) and len(part) > len(known) + 1:
                title, part = known, part[len(known) :]
                break
        if not NAME.match(part) or part.endswith(ORGANISATION_ENDINGS):
            return None
        people.append((part, "" if title == "文" else title))
    return people or None


def match_byline(byline, authors_by_name):
    """The authors a byline names, in order, if every name is a known author; else None."""
    people = parse_byline(byline)
    if not people or any(name not in authors_by_name for name, _title in people):
        return None
    return list(dict.fromkeys(authors_by_name[name] for name, _title in people))


def link_imported_bylines(articles):
    """
    Credit authors on newly imported articles whose byline names only known
    authors (by exact name); other bylines stay text only. One query for the
    authors and one insert per batch; returns the number of articles credited.
    """
    from .models import ArticleAuthor, Author

    candidates = {a.pk: parse_byline(a.byline) for a in articles if a.pk and a.byline}
    names = {name for people in candidates.values() if people for name, _title in people}
    if not names:
        return 0
    authors_by_name = {}
    for author in Author.objects.filter(name__in=names).order_by("pk"):
        authors_by_name.setdefault(author.name, author)
    links, credited = [], 0
    for article in articles:
        authors = match_byline(article.byline, authors_by_name)
        if authors:
            credited += 1
            links += [
                ArticleAuthor(article_id=article.pk, author=author, position=position)
                for position, author in enumerate(authors)
            ]
    ArticleAuthor.objects.bulk_create(links, ignore_conflicts=True)
    return credited
