"""The READMEs agree with each other."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User


def test_contract_paths_are_written_one_way_in_every_readme():
    root = Path(settings.BASE_DIR)
    readmes = [root / "README.md", *sorted(root.glob("*/README.md"))]
    paths = [
        match.group(0)
        for readme in readmes
        for match in re.finditer(r"[\w./-]*contracts/[\w.-]+", readme.read_text())
    ]

    assert paths  # the pattern finds the READMEs' contract paths at all
    one_way = re.compile(r"\.\./shared/contracts/([a-z-]+|NAME)\.md")
    assert [path for path in paths if not one_way.fullmatch(path)] == []


@pytest.mark.django_db
def test_scripted_superuser_creation_from_the_readme(monkeypatch, capsys):
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    command = (
        "DJANGO_SUPERUSER_PASSWORD='a-long-password' .venv/bin/python manage.py "
        "createsuperuser --noinput --email admin@example.com"
    )
    assert command in readme
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password")

    call_command("createsuperuser", "--noinput", "--email", "admin@example.com")

    user = User.objects.get()
    assert (user.email, user.is_staff, user.is_superuser) == ("admin@example.com", True, True)
    assert user.check_password("a-long-password") is True
    assert capsys.readouterr().out == "Superuser created successfully.\n"
