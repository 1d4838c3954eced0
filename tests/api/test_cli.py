"""The ``broker`` command line, run as a user would: loads, users, foreground generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reference import BROKER_CONFIG

from .conftest import run_cli

REFERENCE = BROKER_CONFIG


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-data")
    assert run_cli(path, "load", "sample").returncode == 0
    return path


def _generate(data_dir: Path, *args: str) -> Path:
    done = run_cli(data_dir, "generate", *args)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


def test_generated_d1_file_loads_back_unchanged(data_dir: Path, tmp_path: Path) -> None:
    first = _generate(data_dir, "D1", "--agency", "097", "--start", "10/01/2016", "--end", "03/31/2017")
    original = first.read_bytes()
    assert original.count(b"\n") > 10
    # Reloading the file as procurement data replaces every row with itself...
    copy = tmp_path / "d1.txt"
    txt = _generate(
        data_dir,
        "D1",
        "--agency",
        "097",
        "--start",
        "10/01/2016",
        "--end",
        "03/31/2017",
        "--file-format",
        "txt",
        "--element-numbers",
    )
    copy.write_bytes(txt.read_bytes())
    loaded = run_cli(data_dir, "load", "procurement", str(copy))
    assert loaded.returncode == 0, loaded.stderr
    rows = original.count(b"\n") - 1
    assert f"Loaded {rows:,} procurement rows" in loaded.stderr
    # ...so a fresh generation (another cache key: element-number headers) has the same rows.
    again = _generate(
        data_dir, "D1", "--agency", "097", "--start", "10/01/2016", "--end", "03/31/2017", "--element-numbers"
    )
    assert again != first
    assert sorted(again.read_bytes().splitlines()[1:]) == sorted(original.splitlines()[1:])


def test_a_bad_row_is_reported_by_line_and_nothing_is_loaded(data_dir: Path, tmp_path: Path) -> None:
    source = _generate(data_dir, "D2", "--agency", "012", "--start", "10/01/2016", "--end", "03/31/2017")
    lines = source.read_text().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    changed = [row.replace("012", "999") for row in rows]  # would move every row to agency 999
    broken = [*changed[:3], changed[3].replace(",2016", ",2016-13-45", 1).replace(",2017", ",2017-13-45", 1)]
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "".join(broken + changed[4:]))
    done = run_cli(data_dir, "load", "fabs", str(bad))
    assert done.returncode == 1
    assert "Nothing was loaded" in done.stderr and "line 5:" in done.stderr
    after = _generate(data_dir, "D2", "--agency", "999", "--start", "10/01/2016", "--end", "03/31/2017")
    assert after.read_text().count("\n") == 1, "no row of the rejected file may be loaded"


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("agencies", "agency_codes.csv"),
        ("sf133", "sf_133.csv"),
        ("submission-windows", "submission_window_schedule.csv"),
        ("failed-edits", "GTAS_FE_DA.csv"),
    ],
)
def test_reference_files_load(tmp_path: Path, kind: str, name: str) -> None:
    done = run_cli(tmp_path, "load", kind, str(REFERENCE / name))
    assert done.returncode == 0, done.stderr
    assert "Loaded" in done.stderr


def test_generate_refuses_bad_input_with_a_message(data_dir: Path) -> None:
    done = run_cli(data_dir, "generate", "A", "--agency", "020", "--year", "2017", "--period", "13")
    assert done.returncode == 1
    assert "period: Period must be an integer 2-12." in done.stderr


def test_users_add_validates_affiliations(tmp_path: Path) -> None:
    done = run_cli(
        tmp_path,
        "users",
        "add",
        "a@b.gov",
        "--name",
        "A",
        "--password-stdin",
        "--affiliation",
        "020:emperor",
        stdin="pw\n",
    )
    assert done.returncode == 1 and "affiliation" in done.stderr
