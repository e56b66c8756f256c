"""
The import page's failure and notice lines in the desk's language.

The importer writes its lines in English (the command line, logs, JSON
reports and their tests read them); the desk's import page shows them
translated. Each English template below is the importer's wording with its
variable parts as %(name)s; a line that matches one is shown with the
template's translation. Details that come from a library (a JSON or XML
parser's own words) stay as they are. A line that matches nothing is shown
unchanged: an untranslated line, never a lost one.
"""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

TEMPLATES = [
    gettext_noop("the title is empty"),
    gettext_noop("the topic is empty"),
    gettext_noop("%(field)s is longer than %(limit)s characters"),
    gettext_noop("%(field)s %(value)s is longer than %(limit)s characters"),
    gettext_noop("slug %(value)s is not a valid slug"),
    gettext_noop("source_url %(value)s is not an http(s) URL"),
    gettext_noop("expected a JSON object"),
    gettext_noop("status %(value)s is not one of %(choices)s"),
    gettext_noop("tags must be a list of names"),
    gettext_noop("featured must be true or false"),
    gettext_noop("%(field)s must be a string"),
    gettext_noop("%(field)s must be an ISO 8601 string"),
    gettext_noop("%(field)s %(value)s is not an ISO 8601 date and time"),
    gettext_noop("%(field)s %(value)s needs a UTC offset, e.g. %(example)s"),
    gettext_noop("uuid %(value)s is not a UUID"),
    gettext_noop("invalid JSON: %(detail)s"),
    gettext_noop("cannot be read: %(detail)s"),
    gettext_noop("cannot be decoded as %(encoding)s: %(detail)s"),
    gettext_noop("cannot read the file: %(detail)s"),
    gettext_noop("not a reprint page: %(detail)s"),
    gettext_noop("not an RSS or Atom feed"),
    gettext_noop("not well-formed XML at line %(line)s, column %(column)s: %(detail)s"),
    gettext_noop("refused: unsafe XML (%(detail)s)"),
    gettext_noop(
        "refused: the XML declares entities (%(entity)s); entity expansion is off because it "
        "can blow up without bound (the 'billion laughs' attack)"
    ),
    # Fetching a feed URL (articles/ingest/fetch.py).
    gettext_noop("%(url)s redirects without saying where to"),
    gettext_noop("%(url)s answered HTTP %(status)s"),
    gettext_noop("%(url)s sent an unsupported Content-Encoding: %(encoding)s"),
    gettext_noop("too many redirects (more than %(count)s)"),
    gettext_noop("only http and https URLs can be imported, not %(url)s"),
    gettext_noop("%(url)s has no host name"),
    gettext_noop("%(url)s has an invalid port"),
    gettext_noop("%(host)s has no address"),
    gettext_noop(
        "refused: %(address)s is a %(kind)s address; only public internet addresses are fetched"
    ),
    gettext_noop("cannot resolve %(host)s: %(detail)s"),
    gettext_noop("%(url)s timed out"),
    gettext_noop("could not fetch %(url)s: %(detail)s"),
    gettext_noop("%(url)s is larger than the limit of %(limit)s bytes"),
    gettext_noop("database error: %(detail)s"),
    gettext_noop("database error, nothing from it was written: %(detail)s"),
    gettext_noop("%(count)s invalid UTF-8 byte replaced by U+FFFD (\ufffd): check the text"),
    gettext_noop("%(count)s invalid UTF-8 bytes replaced by U+FFFD (\ufffd): check the text"),
]
FEED_ENTRY = re.compile(r"^(?P<name>.+) entry (?P<number>\d+)(?P<rest>(?: \(.*\))?)$", re.S)


@cache
def _patterns():
    patterns = []
    for template in TEMPLATES:
        parts = re.split(r"%\((\w+)\)s", template)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(f"^{regex}$", re.S), template))
    return patterns


def translate_message(message):
    for pattern, template in _patterns():
        match = pattern.match(message)
        if match:
            return gettext(template) % match.groupdict()
    return message


def translate_origin(origin):
    match = FEED_ENTRY.match(origin)
    if match:
        return gettext("%(name)s entry %(number)s") % match.groupdict() + match["rest"]
    return origin


def translate_line(line):
    """A Failure or Notice (origin: message) in the active language."""
    return f"{translate_origin(line.origin)}: {translate_message(str(line.message))}"
