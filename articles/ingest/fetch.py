"""
Fetch a feed or page over http(s) without becoming a door into our own
network (server-side request forgery).

Every hop is checked: the scheme must be http or https, the host is resolved
and *every* address it resolves to must be a public one (not loopback,
private, link-local, shared, reserved, multicast or unspecified), and the
connection then goes to the address that was checked, so a DNS answer that
changes between check and connect cannot slip through. Redirects are followed
by hand, each one checked the same way. Every fetch has a timeout, a size
limit and no proxy.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

DEFAULT_TIMEOUT = 10  # seconds, for the whole fetch including redirects
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "Newsroom-importer/1.0"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/*;q=0.8, */*;q=0.5"
NAT64 = ipaddress.ip_network("64:ff9b::/96")

__all__ = ["FetchError", "AddressRefused", "Response", "fetch", "urlsplit"]


class FetchError(Exception):
    """The URL could not or must not be fetched; the message says why."""


class AddressRefused(FetchError):
    pass


@dataclass
class Response:
    url: str  # after redirects
    content: bytes
    content_type: str = ""
    charset: str = ""
    status: int = 200  # 304: not modified since the conditional headers' version (no content)
    etag: str = ""
    last_modified: str = ""


def fetch(
    url,
    *,
    timeout=DEFAULT_TIMEOUT,
    max_bytes=DEFAULT_MAX_BYTES,
    max_redirects=MAX_REDIRECTS,
    etag="",
    last_modified="",
):
    """
    GET `url`. With `etag` / `last_modified` (from an earlier Response) the
    request is conditional, and an unchanged resource answers status 304
    with no content.
    """
    conditional = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        parts = check_url(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = public_address(parts.hostname, port)
        response = _get(parts, address, port, deadline, max_bytes, conditional)
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            response.close()
            if not location:
                raise FetchError(f"{url} redirects without saying where to")
            url = urljoin(url, location.strip())
            continue
        try:
            if response.status == 304 and conditional:
                return Response(
                    url=url, content=b"", status=304, etag=etag, last_modified=last_modified
                )
            if response.status != 200:
                raise FetchError(f"{url} answered HTTP {response.status} {response.reason}")
            encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
            if encoding != "identity":
                raise FetchError(f"{url} sent an unsupported Content-Encoding: {encoding}")
            content = _read_limited(response, url, deadline, max_bytes)
            return Response(
                url=url,
                content=content,
                content_type=response.headers.get_content_type() or "",
                charset=response.headers.get_content_charset() or "",
                etag=(response.getheader("ETag") or "").strip(),
                last_modified=(response.getheader("Last-Modified") or "").strip(),
            )
        finally:
            response.close()
    raise FetchError(f"too many redirects (more than {max_redirects})")


def check_url(url):
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchError(f"only http and https URLs can be imported, not {url!r}")
    if not parts.hostname:
        raise FetchError(f"{url!r} has no host name")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise FetchError(f"{url!r} has an invalid port") from exc
    return parts._replace(scheme=parts.scheme.lower())


def public_address(host, port):
    """The first address of `host`, once every address it has is known to be public."""
    addresses = resolve(host, port)
    if not addresses:
        raise FetchError(f"{host} has no address")
    for address in addresses:
        kind = non_public_kind(address)
        if kind:
            shown = host if host == address else f"{host} resolves to {address}, which"
            raise AddressRefused(
                f"refused: {shown} is a {kind} address; only public internet addresses are fetched"
            )
    return addresses[0]


def resolve(host, port):
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    addresses = []
    for *_, sockaddr in infos:
        address = sockaddr[0].split("%", 1)[0]  # drop an IPv6 zone id
        if address not in addresses:
            addresses.append(address)
    return addresses


def non_public_kind(address):
    """Why `address` must not be fetched ("loopback", "private", ...), or "" if it is public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "malformed"
    if ip.version == 6:
        # An IPv4 address in IPv6 clothing is judged as the IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return non_public_kind(str(embedded))
    for kind in ("loopback", "unspecified", "link_local", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-public"
    return ""


def _connect(address, port, timeout):
    """Open the TCP connection to an address that has been checked (tests replace this)."""
    return socket.create_connection((address, port), timeout=timeout)


def _get(parts, address, port, deadline, max_bytes, conditional=None):
    remaining = _remaining(deadline, parts.geturl())
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=remaining, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=remaining)
    # http.client connects through this hook; pin it to the checked address.
    # The Host header, TLS server name and certificate check still use the host name.
    connection._create_connection = lambda _hostport, timeout, *args: _connect(
        address, port, timeout
    )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": ACCEPT,
                "Accept-Encoding": "identity",
                **(conditional or {}),
            },
        )
        response = connection.getresponse()
    except TimeoutError as exc:
        connection.close()
        raise FetchError(f"{parts.geturl()} timed out") from exc
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise FetchError(f"could not fetch {parts.geturl()}: {exc}") from exc
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        response.close()
        raise FetchError(f"{parts.geturl()} is larger than the limit of {max_bytes:,} bytes")
    return response


def _read_limited(response, url, deadline, max_bytes):
    chunks, size = [], 0
    try:
        while True:
            _remaining(deadline, url)
            chunk = response.read1(64 * 1024) if hasattr(response, "read1") else response.read()
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url} is larger than the limit of {max_bytes:,} bytes")
            chunks.append(chunk)
    except TimeoutError as exc:
        raise FetchError(f"{url} timed out") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"could not fetch {url}: {exc}") from exc
    return b"".join(chunks)


def _remaining(deadline, url):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"{url} timed out")
    return remaining
