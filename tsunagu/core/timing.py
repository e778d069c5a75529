"""``Server-Timing`` for the HTTP benchmark (``manage.py bench_http``), off unless
``TSUNAGU_SERVER_TIMING=1``.

The middleware sits first, so ``app`` covers every middleware, the view, the request's
transaction and its commit: everything the application does for a request except the app
server's own reading and writing of the socket. ``db`` is the time spent in the database driver
and ``X-Tsunagu-Queries`` the number of statements, counted with ``connection.execute_wrapper``
(so DEBUG may stay off).

Not for production: the figures describe the work done for the request, and the work differs
between a case that exists but is hidden and one that does not exist (the door reads the case
before refusing it). So the headers are never sent on an error answer (4xx, 5xx), where a hidden
object and a missing one must look the same, and production leaves the middleware off.
"""

import time

from django.db import connections


def server_timing_middleware(get_response):
    def middleware(request):
        counter = _Counter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code >= 400:
            return response
        response.headers["Server-Timing"] = f"app;dur={elapsed:.2f}, db;dur={counter.seconds * 1000:.2f}"
        response.headers["X-Tsunagu-Queries"] = str(counter.queries)
        return response

    return middleware


class _Counter:
    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
