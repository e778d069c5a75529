"""Development makes its own secret key on first run; no key is written in the source."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from tsunagu.core.tests.test_settings import ROOT, load_settings


def key_of(data_dir: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "TSUNAGU_PRODUCTION"}}
    return subprocess.run(
        [sys.executable, "-c", "import tsunagu.settings as s; print(s.SECRET_KEY)"],
        cwd=ROOT,
        env={**clean, "TSUNAGU_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_development_makes_a_random_key_once_and_keeps_it(tmp_path):
    first = key_of(tmp_path)
    assert len(first) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert key_of(tmp_path) == first  # sessions survive a restart
    assert key_of(tmp_path / "other") != first  # every installation has its own


def test_a_set_key_wins_and_nothing_is_written(tmp_path):
    assert key_of(tmp_path, SECRET_KEY="s" * 50) == "s" * 50
    assert not (tmp_path / "secret_key").exists()


def test_production_never_falls_back_to_a_generated_key(tmp_path):
    result = load_settings(TSUNAGU_PRODUCTION="1", TSUNAGU_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_no_secret_key_is_written_in_the_source():
    assert "DEV_SECRET_KEY" not in (ROOT / "tsunagu" / "settings.py").read_text()
