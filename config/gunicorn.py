"""gunicorn settings for the web container: `gunicorn config.wsgi:application -c config/gunicorn.py`."""

import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config.env import env  # noqa: E402

bind = "0.0.0.0:8000"
# Worker processes: WEB_CONCURRENCY, or two per core plus one.
workers = int(env("WEB_CONCURRENCY", default=str(multiprocessing.cpu_count() * 2 + 1)))
# Threads per worker serve concurrent requests that wait on the database.
threads = int(env("WEB_THREADS", default="2"))
# A draft letter's PDF preview renders in the request; batches go to Celery.
timeout = int(env("WEB_TIMEOUT", default="60"))
graceful_timeout = 30
# Restart workers now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Behind the reverse proxy: trust its X-Forwarded-* headers.
forwarded_allow_ips = env("WEB_FORWARDED_ALLOW_IPS", default="*")
