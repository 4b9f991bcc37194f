"""What the command line shows on an 80-column terminal: nothing wider, no ID broken, help
that reads as sentences, meetings in workbook order."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from reporter.cli import app
from tests import registers as R
from tests.conftest import run_cli

NARROW = {"COLUMNS": "80", "LINES": "40"}
LONG_ID = "M-SHANGHAI-SUZHOU-25"  # 20 characters


def _register_with_a_long_id(tmp_path: Path) -> Path:
    rows = R.sample_rows()
    for sheet in rows.values():
        for row in sheet:
            if row.get("meeting_id") == "M-HK-FORUM-2024":
                row["meeting_id"] = LONG_ID
    return R.write(tmp_path / "long-id.xlsx", rows)


def _fits(text: str, width: int = 80) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide


def test_build_table_fits_80_columns_and_keeps_ids_whole(tmp_path: Path) -> None:
    path = _register_with_a_long_id(tmp_path)
    result = run_cli("build", path, "--out", tmp_path / "reports", env=NARROW)
    assert result.exit_code == 0, result.output
    _fits(result.stdout)
    rows = [line.split()[0] for line in result.stdout.splitlines()
            if line.strip().startswith("M-")]
    assert LONG_ID in rows
    # meetings in workbook order, every time
    order = [m["meeting_id"] for m in R.sample_rows()["Meetings"]]
    order[order.index("M-HK-FORUM-2024")] = LONG_ID
    assert rows == order
    for again in (run_cli("build", path, "--out", tmp_path / "reports", env=NARROW),  # unchanged
                  run_cli("build", path, "--out", tmp_path / "reports", "--force", env=NARROW),
                  run_cli("build", path, "--out", tmp_path / "reports", "-m", "M-TSINGHUA",
                          env=NARROW)):  # rebuilt and carried over, interleaved
        assert [line.split()[0] for line in again.stdout.splitlines()
                if line.strip().startswith("M-")] == order


def test_problems_and_checks_fit_80_columns(tmp_path: Path) -> None:
    path = _register_with_a_long_id(tmp_path)
    for command in (("validate", path), ("reconcile", path)):
        result = run_cli(*command, env=NARROW)
        _fits(result.stdout)
    result = run_cli("reconcile", path, env=NARROW)
    assert re.search(rf"^{LONG_ID}\b", result.stdout, re.M)


def test_facts_fit_80_columns_without_cutting_ids_or_names() -> None:
    from reporter.facts import load_facts

    result = run_cli("facts", env=NARROW)
    _fits(result.stdout)
    assert "…" not in result.stdout  # nothing cut short
    words = set(re.findall(r"[\w-]+", result.stdout))
    for figure in load_facts().figures:
        assert figure.id in words  # never folded: an id is one word on one line
        assert set(re.findall(r"[\w-]+", figure.metric)) <= words  # names wrap, whole


def test_help_reads_as_sentences_without_type_jargon() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name in commands:
        text = run_cli(name, "--help", env=NARROW).stdout
        _fits(text)
        for jargon in ("list[", "Path]", "<bool>", "<int", "INTEGER", "TEXT", "RANGE", "x>="):
            assert jargon not in text, (name, jargon)


def test_the_list_of_commands_says_each_in_whole() -> None:
    text = run_cli("--help", env=NARROW).stdout
    _fits(text)
    listed = text[text.index("Commands:"):].splitlines()[1:]
    assert len(listed) == 5 and not any(line.rstrip().endswith(("...", "…")) for line in listed)


def test_a_build_of_no_meetings_says_so_without_an_empty_table(tmp_path: Path) -> None:
    result = run_cli("build", R.write(tmp_path / "empty.xlsx", {"Meetings": [], "Agreements": [],
                                                                "Metrics": []}),
                     "--out", tmp_path / "out", env=NARROW)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Written to ") and lines[0] == lines[0].rstrip()  # no padding
    assert "no meetings yet" in result.stdout and "meeting " not in result.stdout


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    result = run_cli("validate", R.write(tmp_path / "s.xlsx", R.sample_rows()))
    flat = " ".join(result.stdout.split())
    assert "(s)" not in flat and ("OK - no errors, no warnings; 7 meetings, 14 agreements, 25 "
                                  "metrics, 2 participants and 5 actions.") in flat


def test_a_file_name_with_control_characters_is_printed_without_them(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import SAMPLE

    odd = tmp_path / "a\x1b[31mred\nname.xlsx"
    shutil.copy(SAMPLE, odd)
    result = run_cli("validate", odd, env=NARROW)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "[31mred name.xlsx: OK" in " ".join(
        result.stdout.split())


def test_the_command_ends_with_all_it_said_and_its_exit_code(tmp_path: Path) -> None:
    """reporter ends without Python's teardown: what it wrote to a pipe arrives whole, and
    the exit code is the command's, whether it succeeded, failed or was misused."""
    import json
    import subprocess
    import sys

    from tests.conftest import SAMPLE

    def reporter(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reporter", *args], capture_output=True,
                              text=True, timeout=120)

    done = reporter("validate", str(SAMPLE), "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["ok"] is True
    facts = reporter("facts", "--format", "json")
    assert facts.returncode == 0 and len(json.loads(facts.stdout)["sources"]) >= 5
    missing = reporter("validate", str(tmp_path / "missing.xlsx"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    misused = reporter("no-such-command")
    assert misused.returncode == 2 and "No such command" in misused.stderr
    # Started with stderr, or stdout, closed: the same code, and no traceback anywhere.
    import shlex

    line = shlex.join([sys.executable, "-m", "reporter", "validate", str(SAMPLE)])
    quiet = subprocess.run(f"{line} --format json 2>&-", shell=True, capture_output=True,
                           text=True, timeout=120)
    assert quiet.returncode == 0 and json.loads(quiet.stdout)["ok"] is True
    mute = subprocess.run(f"{line} >&-", shell=True, capture_output=True, text=True,
                          timeout=120)
    assert mute.returncode == 0 and "Traceback" not in mute.stderr


def test_ctrl_c_says_interrupted_and_exits_130(tmp_path: Path) -> None:
    """typer turns Ctrl-C into exit 130 without a word; reporter says what happened."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import SAMPLE

    started = tmp_path / "started"
    code = f"""if True:
        import sys, time
        import reporter.validate as v
        def slow(*args, **kwargs):
            open({str(started)!r}, "w").close()
            time.sleep(60)
        v.validate_file = slow
        sys.argv = ["reporter", "validate", {str(SAMPLE)!r}]
        from reporter.entry import main
        main()
    """
    run = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=30)
    finally:
        run.kill()
    assert run.returncode == 130
    assert err.strip() == "interrupted"
