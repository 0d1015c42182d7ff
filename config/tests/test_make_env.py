"""`make env` (part of `make run`): the legacy mounts `open` in .env, with a notice."""

import shutil
import subprocess
import sys

from django.conf import settings

ACCESS_LINES = [
    "LUNA_ACCESS=open",
    "EDGESOUL_ACCESS=open",
    "LEARNING_ACCESS=open",
    "YAGO_ACCESS=open",
]


def make_env(folder) -> str:
    shutil.copy(settings.BASE_DIR / "Makefile", folder / "Makefile")
    result = subprocess.run(
        ["make", "-s", "env", f"PYTHON={sys.executable}"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_a_new_env_gets_a_secret_key_and_the_four_mounts_open_with_a_comment(tmp_path):
    output = make_env(tmp_path)

    lines = (tmp_path / ".env").read_text().splitlines()
    assert lines[0].startswith("SECRET_KEY=") and len(lines[0]) > 60
    assert lines[-4:] == ACCESS_LINES
    assert any("'open' = anyone who" in line for line in lines if line.startswith("#"))
    assert output.splitlines() == [
        "wrote .env with a new random SECRET_KEY",
        "notice: added LUNA_ACCESS EDGESOUL_ACCESS LEARNING_ACCESS YAGO_ACCESS (=open) to .env: "
        "those mounts answer anyone; see README 'Deploying safely'",
    ]


def test_an_older_env_gets_only_the_missing_lines_and_a_notice(tmp_path):
    (tmp_path / ".env").write_text("SECRET_KEY=kept\nLUNA_ACCESS=key\n")

    output = make_env(tmp_path)

    lines = (tmp_path / ".env").read_text().splitlines()
    assert lines[:2] == ["SECRET_KEY=kept", "LUNA_ACCESS=key"]
    assert lines[-3:] == ACCESS_LINES[1:]
    assert "LUNA_ACCESS=open" not in lines
    assert output.startswith("notice: added EDGESOUL_ACCESS LEARNING_ACCESS YAGO_ACCESS (=open)")


def test_a_complete_env_is_left_alone_silently(tmp_path):
    content = "SECRET_KEY=kept\n" + "\n".join(line.replace("open", "key") for line in ACCESS_LINES)
    (tmp_path / ".env").write_text(content + "\n")

    assert make_env(tmp_path) == ""
    assert (tmp_path / ".env").read_text() == content + "\n"
