"""Production mode refuses a missing SECRET_KEY and DEBUG on; the default is SQLite."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "TSUNAGU_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import tsunagu.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG); "
            "print(s.OTP_WEBAUTHN_ALLOWED_ORIGINS, s.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN)",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_nothing_set_means_development_on_sqlite():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["django.db.backends.sqlite3", "True"]


def test_production_refuses_a_missing_secret_key():
    result = load_settings(TSUNAGU_PRODUCTION="1")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = load_settings(TSUNAGU_PRODUCTION="1", SECRET_KEY="x" * 50, DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_starts_with_a_real_key_and_postgres_url():
    result = load_settings(
        TSUNAGU_PRODUCTION="1",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://u@db/tsunagu",
        ALLOWED_HOSTS="tsunagu.example.lg.jp",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["django.db.backends.postgresql", "False"]


def test_a_malformed_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_production_passes_djangos_deployment_checks():
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            **clean,
            "TSUNAGU_PRODUCTION": "1",
            "SECRET_KEY": "Yq3v9-Lr0pZ8wT2m_Kc7Hb4Nf1Xj6Ds5Ge8Ua0Vi3Ro9Pt2Wl7",
            "ALLOWED_HOSTS": "tsunagu.example.lg.jp",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def cache_backend(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "TSUNAGU_PRODUCTION", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import tsunagu.settings as s; print(s.CACHES['default']['BACKEND'])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_shares_the_rate_limit_store_between_app_servers():
    """Without REDIS_URL production counts in the database (one store for every process);
    only development keeps the per-process memory cache."""
    production = {"TSUNAGU_PRODUCTION": "1", "SECRET_KEY": "k" * 50}
    assert cache_backend(**production) == "django.core.cache.backends.db.DatabaseCache"
    assert cache_backend(**production, REDIS_URL="redis://cache:6379/0") == (
        "django.core.cache.backends.redis.RedisCache"
    )
    assert cache_backend() == "django.core.cache.backends.locmem.LocMemCache"


def test_production_refuses_the_demos_second_factor_hint():
    """The demo shows the current code on the second-factor page; production never does."""
    result = load_settings(
        TSUNAGU_PRODUCTION="1",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="tsunagu.example.lg.jp",
        TSUNAGU_DEMO_SECOND_FACTOR_HINT="1",
    )
    assert result.returncode != 0
    assert "TSUNAGU_DEMO_SECOND_FACTOR_HINT" in result.stderr


def test_webauthn_origins_follow_the_host_names_in_production_and_passwordless_is_off():
    result = load_settings(
        TSUNAGU_PRODUCTION="1", SECRET_KEY="k" * 50, ALLOWED_HOSTS="tsunagu.example.lg.jp,.example.lg.jp"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "['https://tsunagu.example.lg.jp'] False"
