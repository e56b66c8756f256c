"""
Local HTTP servers for tests: they answer from a script and record every
request (method, path, headers, body). Only ever bound to 127.0.0.1.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Route:
    """Answers in turn from `answers` [(status, headers, body)], repeating the last one."""

    answers: list
    delay: float = 0.0
    served: int = field(default=0)

    def next(self):
        answer = self.answers[min(self.served, len(self.answers) - 1)]
        self.served += 1
        return answer


class RecordingServer:
    def __init__(self):
        self.routes = {}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(
                    Request(self.command, self.path, dict(self.headers.items()), body)
                )
                route = server.routes.get(self.path.split("?")[0])
                status, headers, content = route.next() if route else (404, {}, b"not found")
                if route and route.delay:
                    time.sleep(route.delay)
                if callable(content):
                    status, headers, content = content(self)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = handle_any

            def log_message(self, *args):
                pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def route(self, path, *answers, delay=0.0):
        self.routes[path] = Route(list(answers), delay=delay)
        return self.routes[path]

    def hits(self, path):
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
