"""Production security settings: `check --deploy` with README's production .env is silent."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env() -> dict[str, str]:
    """The ```dotenv block of README's "Deploying safely" section, as a dict."""
    readme = (BASE_DIR / "README.md").read_text()
    block = re.search(r"```dotenv\n(# production \.env.*?)```", readme, re.S).group(1)
    pairs = (line.split("=", 1) for line in block.splitlines() if line and line[0] != "#")
    return {key: value for key, value in pairs}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment: nothing from the test run (DATABASE_URL, ...) leaks in; .env values
    # never override what is set here.
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_env_example_passes_check_deploy_without_a_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_without_the_https_settings_check_deploy_warns_about_each_of_them():
    env = production_env()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES"):
        del env[name]

    result = run_manage("check", "--deploy", env=env)

    warnings = sorted(set(re.findall(r"\(security\.(W\d+)\)", result.stderr + result.stdout)))
    assert warnings == ["W004", "W008", "W012", "W016"]


def test_env_example_lists_every_https_and_cors_variable():
    documented = {
        line.split("=", 1)[0]
        for line in (BASE_DIR / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    new = {
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_COOKIES",
        "CSRF_TRUSTED_ORIGINS",
        "CORS_ALLOWED_ORIGINS",
        "CORS_PREFLIGHT_MAX_AGE",
    }
    assert new - documented == set()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("SECURE_SSL_REDIRECT", False),
        ("SECURE_HSTS_SECONDS", 0),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", False),
        ("SECURE_HSTS_PRELOAD", False),
        ("SESSION_COOKIE_SECURE", False),
        ("CSRF_COOKIE_SECURE", False),
        ("CORS_ALLOWED_ORIGINS", []),
        ("SECURE_REDIRECT_EXEMPT", [r"^healthz$", r"^metrics$"]),
    ],
)
def test_the_embedded_default_keeps_plain_http_working(setting, expected):
    # The test run's own settings are the embedded default (no production variables set).
    assert getattr(settings, setting) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "None"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8"}, "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ({"NUM_PROXIES": "1"}, "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ({"NUM_PROXIES": "0"}, "None"),
    ],
)
def test_x_forwarded_proto_is_believed_only_with_a_proxy_configured(env, expected):
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run_manage("shell", "--no-imports", "-c", code, env={"SECRET_KEY": "x" * 50, **env})

    assert (result.returncode, result.stdout) == (0, expected + "\n")
