"""Two app servers share everything a request needs (docs/production.md, "A second app server").

Runs ``scripts/two_servers.py`` on a fresh SQLite file: two gunicorn processes with production
settings, signed in on one and served by the other, a save on one read on the other, a sign-out
on one ending the session on both, and one public-form rate limit for both (Redis when one
answers at 127.0.0.1:6379/15, else the database cache). About 10 s.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_two_app_servers_share_sessions_data_and_the_rate_limit():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MIGRATE_DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "scripts/two_servers.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every step held" in result.stdout
