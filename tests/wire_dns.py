"""
Send the safe fetcher's requests for wire.example.com to a local test server:
DNS answers a public address for it, and connections to that address go to
127.0.0.1:<port>. The fetcher's checks run as in production; nothing leaves
the machine. Used by the polling tests and by the test worker's settings.
"""

import socket

from articles.ingest import fetch

HOST = "wire.example.com"
PUBLIC = "93.184.216.34"  # stands for an internet host


def install(port, patch=None):
    """Patch with `patch(obj, name, value)` (pytest's monkeypatch.setattr), or for good."""
    patch = patch or setattr
    real_getaddrinfo = socket.getaddrinfo
    real_connect = fetch._connect

    def getaddrinfo(host, port_, *args, **kwargs):
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port_))]
        return real_getaddrinfo(host, port_, *args, **kwargs)

    def connect(address, port_, timeout):
        if address == PUBLIC:
            return real_connect("127.0.0.1", port, timeout)
        return real_connect(address, port_, timeout)

    patch(socket, "getaddrinfo", getaddrinfo)
    patch(fetch, "_connect", connect)
