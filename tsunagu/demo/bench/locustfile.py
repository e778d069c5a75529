"""The mixed staff workload of docs/quality.md P6, run by ``manage.py bench_http`` as
``locust --headless``; not imported by Django (locust runs it in its own gevent process).

The plan (``TSUNAGU_BENCH_PLAN``, a JSON file written by the command) holds the server, the
session cookies of the signed-in benchmark users and the weighted pages. Each simulated user
picks a page by weight and requests it as that page's user, with no think time (a closed loop:
the throughput figure is what the server sustains with this many users waiting on it).

The one write, ``record_save``: GET a record form of one of bench-worker's open cases (spread
over all of them), POST it with the form's own CSRF token and submission key (``formparse.py``:
each save carries a fresh key, so none is a replay the server would answer without saving), and
count it failed unless the server redirects to the case's timeline.
"""

import json
import os
import random
import sys
from pathlib import Path

from locust import FastHttpUser, constant, task

# Locust loads this file by path, without Django: make the project importable for ``formparse``
# and ``client.is_saved`` (both standard library plus requests).
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tsunagu.demo.bench import formparse
from tsunagu.demo.bench.client import SUMMARY, is_saved

with open(os.environ["TSUNAGU_BENCH_PLAN"], encoding="utf-8") as handle:
    PLAN = json.load(handle)

PAGES = PLAN["mix"]
WEIGHTS = [page["weight"] for page in PAGES]
HEADERS = {
    username: {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()), "X-Forwarded-Proto": "https"}
    for username, cookies in PLAN["cookies"].items()
}
RECORD_FORMS = PLAN.get("record_forms", [])
ORIGIN = PLAN["base_url"].replace("http://", "https://", 1)


class Staff(FastHttpUser):
    host = PLAN["base_url"]
    wait_time = constant(PLAN.get("wait", 0))

    @task
    def page(self) -> None:
        page = random.choices(PAGES, WEIGHTS)[0]
        if page["key"] == "record_save":
            self.save(page["username"])
            return
        headers = HEADERS[page["username"]] | {"X-Bench-Page": page["key"]}
        if page.get("form"):
            # The person search is a POST (decision 0028): the session's CSRF token, the HTTPS origin.
            token = PLAN["cookies"][page["username"]].get("csrftoken", "")
            headers |= {"X-CSRFToken": token, "Origin": ORIGIN, "Referer": ORIGIN + page["path"]}
            request = self.client.post(
                page["path"],
                data=page["form"],
                name=page["key"],
                headers=headers,
                allow_redirects=False,
                catch_response=True,
            )
        else:
            request = self.client.get(
                page["path"], name=page["key"], headers=headers, allow_redirects=False, catch_response=True
            )
        with request as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def save(self, username: str) -> None:
        path = random.choice(RECORD_FORMS)
        headers = HEADERS[username]
        with self.client.get(
            path,
            name="record_form",
            headers=headers | {"X-Bench-Page": "record_form"},
            allow_redirects=False,
            catch_response=True,
        ) as form:
            if form.status_code != 200:
                form.failure(f"HTTP {form.status_code}")
                return
            try:
                body = formparse.encode(formparse.record_form_data(form.text, SUMMARY))
            except ValueError as exc:
                form.failure(str(exc))
                return
        with self.client.post(
            path,
            name="record_save",
            data=body,
            headers=headers
            | {
                "X-Bench-Page": "record_save",
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": ORIGIN,
                "Referer": ORIGIN + path,
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if not is_saved(response.status_code, response.headers):
                response.failure(f"not saved: HTTP {response.status_code}")
