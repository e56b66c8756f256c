"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py newsroom.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"

# Which proxy may say a request came over HTTPS. The same switch as Django's
# SECURE_PROXY_SSL_HEADER (newsroom/settings.py, README "Deploying"): off, no
# peer is trusted and forwarded scheme headers are ignored; on, only
# X-Forwarded-Proto from FORWARDED_ALLOW_IPS (default: this machine).
behind_proxy = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip().lower() in {
    "1",
    "true",
    "yes",
    "on",
}
if behind_proxy:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
