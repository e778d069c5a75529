"""Application CPU time of one page, in-process (no server, no socket): the Python cost of a page
apart from the database's own work, which a busy machine's wall-clock times hide.

    DATABASE_URL=postgres://…/tsunagu_x DEBUG=0 python scripts/page_cpu.py USERNAME URL [N]

Signs in as USERNAME (force_login), requests URL three times to warm up, then N times (default
50), and prints the median and minimum CPU time of this process per request (time.process_time:
the view, the ORM building queries and making objects, the templates, the middleware; not the
time PostgreSQL spends or the wait for it), the median wall time and the queries per request.
On a shared machine, compare the minimum of two versions measured one after the other.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> None:
    username, url = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    for _ in range(3):
        response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url}: {response.status_code}")
    queries: list[int] = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    cpu, wall = [], []
    for _ in range(n):
        queries.clear()
        with connection.execute_wrapper(count):
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            client.get(url)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started_wall) * 1000)
    cpu.sort()
    wall.sort()
    print(
        f"{url}: cpu p50 {cpu[n // 2]:.1f} ms, min {cpu[0]:.1f} ms; wall p50 {wall[n // 2]:.1f} ms; "
        f"{len(queries)} queries"
    )


if __name__ == "__main__":
    main()
