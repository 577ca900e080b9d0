"""`flask lessons check`, driven through click's CliRunner against the `lessons` group."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from classroom.lessons.cli import cli
from classroom.lessons.content import LESSONS_DIR


def test_check_summarises_the_shipped_lessons() -> None:
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("27 lessons, ")
    assert lines[1].startswith("Steps per pathway: pre_formal ")
    assert "UKCIS strands: 8 of 8 covered" in lines
    assert "Policy risks: 11 of 11 covered" in lines
    assert "Teacher-enabled only: 15 pressure-secrets-pictures, 25 hate-and-extreme-ideas, " in (
        result.stdout
    )


def test_check_fails_with_every_problem_listed(tmp_path: Path) -> None:
    (tmp_path / "01-bad.toml").write_text('id = "bad"\nnumber = 1\nkind = "quiz"\n')
    result = CliRunner().invoke(cli, ["check", "--folder", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{tmp_path.name}/01-bad.toml:3: unknown key 'kind' in the lesson" in result.stderr
    assert f"{tmp_path.name}/01-bad.toml:1: the lesson is missing 'formal'" in result.stderr


def test_check_fails_on_a_folder_without_lessons(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--folder", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no lesson files (*.toml) found here" in result.stderr


def test_check_reports_curriculum_gaps_without_failing(tmp_path: Path) -> None:
    shipped = LESSONS_DIR / "09-kind-and-unkind.toml"
    (tmp_path / shipped.name).write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--folder", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "UKCIS strands: 1 of 8 covered; not covered: self_image_identity," in result.stdout
    assert "Teacher-enabled only: none" in result.stdout
