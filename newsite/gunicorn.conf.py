"""gunicorn settings; every value can be overridden from the environment or the command line."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# gthread workers do not need a buffering proxy in front to survive slow clients.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
wsgi_app = "newsite.wsgi:application"
accesslog = "-"
errorlog = "-"
timeout = 30
# Keep idle client connections a little longer than gunicorn's 2 s default.
keepalive = 5
graceful_timeout = 20
# Load the app before forking so workers share its memory and start fast.
preload_app = True
