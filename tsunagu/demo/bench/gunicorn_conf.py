"""gunicorn's configuration for the HTTP benchmark (``server.py`` passes the values in the
environment). Production runs gunicorn with its own configuration; this one differs only in
binding to the loopback and logging each request's benchmark page for the audit check."""

import os

bind = f"127.0.0.1:{os.environ['TSUNAGU_BENCH_PORT']}"
workers = int(os.environ.get("TSUNAGU_BENCH_WORKERS", "3"))
worker_class = "sync"
timeout = 120
errorlog = "-"
# One line per request served: the status and the page the benchmark says it asked for, so the
# audit check counts what the server answered, not what the load tool recorded.
accesslog = os.environ["TSUNAGU_BENCH_ACCESS_LOG"]
access_log_format = "%(s)s %({x-bench-page}i)s"
