"""gunicorn settings for the web container: `gunicorn config.wsgi:application -c config/gunicorn.py`."""

import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config.env import env  # noqa: E402

bind = "0.0.0.0:8000"
# Worker processes: WEB_CONCURRENCY, or one per core. A request here is mostly Python
# work (the database answers in a few milliseconds), so more processes than cores only
# share the cores among more requests at once: each one then takes longer, and the
# slowest ones much longer, with no more served in a second. With the database on
# another machine, or slow storage, one or two more processes keep the cores busy.
workers = int(env("WEB_CONCURRENCY", default=str(multiprocessing.cpu_count())))
# One request at a time per process (the sync worker): requests queue in order instead
# of sharing a process's interpreter lock.
threads = int(env("WEB_THREADS", default="1"))
# Load the application once in the master: a worker restarted after max_requests is a
# fork, not a fresh start of Django that would take a core for a second.
preload_app = True
# A draft letter's PDF preview renders in the request; batches go to Celery.
timeout = int(env("WEB_TIMEOUT", default="60"))
graceful_timeout = 30
# Restart workers now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The reverse proxy named in DJANGO_TRUSTED_PROXIES (the same list Django trusts, see
# core/proxy.py) is the only peer whose X-Forwarded-Proto gunicorn believes; none when empty.
forwarded_allow_ips = env("DJANGO_TRUSTED_PROXIES", default="")
