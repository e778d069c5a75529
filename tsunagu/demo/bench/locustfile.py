"""The mixed staff workload of docs/quality.md P6, run by ``manage.py bench_http`` as
``locust --headless``; not imported by Django (locust runs it in its own gevent process).

The plan (``TSUNAGU_BENCH_PLAN``, a JSON file written by the command) holds the server, the
session cookies of the signed-in benchmark users and the weighted pages. Each simulated user
picks a page by weight and requests it as that page's user, with no think time (a closed loop:
the throughput figure is what the server sustains with this many users waiting on it).
"""

import json
import os
import random

from locust import FastHttpUser, constant, task

with open(os.environ["TSUNAGU_BENCH_PLAN"], encoding="utf-8") as handle:
    PLAN = json.load(handle)

PAGES = PLAN["mix"]
WEIGHTS = [page["weight"] for page in PAGES]
HEADERS = {
    username: {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()), "X-Forwarded-Proto": "https"}
    for username, cookies in PLAN["cookies"].items()
}


class Staff(FastHttpUser):
    host = PLAN["base_url"]
    wait_time = constant(PLAN.get("wait", 0))

    @task
    def page(self) -> None:
        page = random.choices(PAGES, WEIGHTS)[0]
        with self.client.get(
            page["path"],
            name=page["key"],
            headers=HEADERS[page["username"]] | {"X-Bench-Page": page["key"]},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
