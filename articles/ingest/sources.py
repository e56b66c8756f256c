"""
Where imported bytes come from, and which encoding they are in.

A `Document` is one thing to import: a file, standard input, an uploaded
file or a URL. Opening it gives a seekable binary stream plus what the
transport said about it (content type, charset). Folders expand to the
importable files inside them.
"""

import codecs
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from . import fetch

# Extensions a folder is searched for, and the format each one implies.
EXTENSION_FORMATS = {
    ".txt": "reprint",
    ".text": "reprint",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}

# Legacy Chinese encodings are subsets of GB18030: decode them all with it, so
# a page labelled gb2312 that uses a GBK-only character still reads.
GB_ALIASES = {"gb2312", "gbk", "cp936", "ms936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}
XML_DECLARATION = re.compile(
    rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE
)
SAMPLE_SIZE = 64 * 1024
HAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


class SourceError(Exception):
    """A document could not be read at all (missing file, refused URL, ...)."""


@dataclass
class Opened:
    stream: io.BufferedIOBase
    content_type: str = ""
    charset: str = ""
    url: str = ""


class Document:
    """One thing to import. `name` is how reports refer to it."""

    name = ""
    url = ""

    def open(self):
        raise NotImplementedError

    @property
    def format_hint(self):
        return EXTENSION_FORMATS.get(Path(self.name).suffix.lower())


class FileDocument(Document):
    def __init__(self, path):
        self.path = Path(path)
        self.name = str(path)

    def open(self):
        try:
            return Opened(self.path.open("rb"))
        except OSError as exc:
            raise SourceError(f"cannot read the file: {exc.strerror or exc}") from exc


class StreamDocument(Document):
    """Standard input or an uploaded file. Non-seekable streams are read into memory."""

    def __init__(self, name, stream, *, content_type=""):
        self.name = name
        self.stream = stream
        self.content_type = content_type

    def open(self):
        stream = self.stream
        if not (hasattr(stream, "seekable") and stream.seekable()):
            stream = io.BytesIO(stream.read())
        stream.seek(0)
        return Opened(stream, content_type=self.content_type)


class UrlDocument(Document):
    def __init__(self, url, **fetch_options):
        self.name = self.url = url
        self.fetch_options = fetch_options

    @property
    def format_hint(self):
        return EXTENSION_FORMATS.get(Path(fetch.urlsplit(self.url).path).suffix.lower())

    def open(self):
        try:
            response = fetch.fetch(self.url, **self.fetch_options)
        except fetch.FetchError as exc:
            raise SourceError(str(exc)) from exc
        return Opened(
            io.BytesIO(response.content),
            content_type=response.content_type,
            charset=response.charset,
            url=response.url,
        )


def documents_from_arguments(arguments, *, stdin=None, **fetch_options):
    """
    Expand command-line SOURCE arguments: `-` is standard input, http(s)
    URLs are fetched, folders are searched (recursively, in name order) for
    files with a known extension. Raise SourceError for a path that does not exist.
    """
    documents = []
    for argument in arguments:
        if argument == "-":
            documents.append(StreamDocument("<stdin>", stdin or sys.stdin.buffer))
        elif re.match(r"^https?://", argument, re.IGNORECASE):
            documents.append(UrlDocument(argument, **fetch_options))
        else:
            path = Path(argument)
            if path.is_dir():
                documents.extend(FileDocument(p) for p in files_in_folder(path))
            elif path.is_file():
                documents.append(FileDocument(path))
            else:
                raise SourceError(f"{argument}: no such file, folder or URL")
    return documents


def files_in_folder(folder):
    return sorted(
        path
        for path in Path(folder).rglob("*")
        if path.is_file()
        and path.suffix.lower() in EXTENSION_FORMATS
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def normalize_encoding(name):
    """A Python codec name for a declared charset, or "" when Python has none."""
    if not name:
        return ""
    name = name.strip().strip("\"'").lower()
    if name in GB_ALIASES:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def declared_xml_encoding(head):
    match = XML_DECLARATION.match(head)
    return normalize_encoding(match.group(1).decode("ascii")) if match else ""


def detect_encoding(sample, *, declared="", complete=True):
    """
    The encoding of `sample` (the whole text when `complete`, else its start):
    a byte-order mark; then valid UTF-8; then the declared charset; then
    GB18030 (which covers GBK and GB2312) when it yields mostly Chinese; and
    charset-normalizer's best guess last.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(sample, "utf-8", complete):
        return "utf-8"
    declared = normalize_encoding(declared)
    if declared == "utf-8" or looks_like_utf8(sample):
        # A few bad bytes in UTF-8 text are damage to report, not a sign of
        # another charset: guessing again once read a file as a Cyrillic code page.
        return "utf-8"
    if declared and declared not in {"utf-8", "ascii"} and _decodes(sample, declared, complete):
        return declared
    if _decodes(sample, "gb18030", complete) and _mostly_chinese(sample):
        return "gb18030"
    guess = charset_normalizer.from_bytes(sample).best()
    if guess is not None and guess.encoding:
        return normalize_encoding(guess.encoding) or guess.encoding
    raise UnicodeError("the text is in no encoding we can recognise (UTF-8, GB18030/GBK, ...)")


def decode(data, *, declared=""):
    """
    Decode a whole document; return (text, encoding). UTF-8 with a few bad
    bytes is read as UTF-8, each bad byte replaced by U+FFFD (see
    invalid_utf8_lines for where they were).
    """
    encoding = detect_encoding(data, declared=declared or declared_xml_encoding(data[:1024]))
    text = data.decode(encoding, errors="replace" if encoding == "utf-8" else "strict")
    return text.lstrip("\ufeff"), encoding


def looks_like_utf8(sample):
    """Mostly valid multi-byte UTF-8, with a few bytes that are not: damaged UTF-8."""
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - sample.count("\ufffd".encode())
    wide = sum(1 for char in text if ord(char) > 0x7F) - text.count("\ufffd")
    return bad > 0 and wide >= 20 * bad


def invalid_utf8_lines(data):
    """{line number: count of invalid bytes} of UTF-8 `data` (empty when it is valid)."""
    found = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("utf-8", errors="replace")
            found[number] = text.count("\ufffd") - line.count("\ufffd".encode())
    return found


def _decodes(sample, encoding, complete):
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=complete)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _mostly_chinese(sample):
    text = sample.decode("gb18030", errors="ignore")
    non_ascii = sum(1 for char in text if ord(char) > 0x7F)
    return non_ascii == 0 or len(HAN.findall(text)) >= non_ascii * 0.6
