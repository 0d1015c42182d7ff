"""The admin and the Swagger UI work under the CSP in a real browser (headless Chromium).

Chromium prints every CSP violation to its console log; the control case (drf-spectacular's
non-split view, which runs an inline script) shows the check would see one.
"""

import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def render(url: str) -> tuple[str, list[str]]:
    """(DOM after the scripts ran, CSP violations on the console)."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    violations = [
        line for line in result.stderr.splitlines() if "Content Security Policy" in line
    ]
    return result.stdout, violations


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_every_operation_without_a_csp_violation(live_server):
    dom, violations = render(f"{live_server.url}/api/docs/")

    assert violations == []
    # Operations are drawn only after the start-up script fetched /api/schema/.
    assert 'class="opblock ' in dom or "opblock-tag" in dom


@pytest.mark.django_db(transaction=True)
def test_admin_login_renders_without_a_csp_violation(live_server):
    dom, violations = render(f"{live_server.url}/admin/login/")

    assert violations == []
    assert 'id="login-form"' in dom


@pytest.mark.django_db(transaction=True)
def test_control_an_inline_script_is_reported_as_a_violation(live_server, settings):
    settings.ROOT_URLCONF = "config.tests.csp_control_urls"

    dom, violations = render(f"{live_server.url}/inline-docs/")

    assert len(violations) == 1
    assert "Executing inline script violates" in violations[0]
    assert "opblock" not in dom
