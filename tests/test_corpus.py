"""Every file in the hostile and damaged corpus gets the right exit code and a message that
names the file and (for data problems) the sheet and cell, with no traceback, and the
input is left exactly as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.corpus import CASES, Case


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_corpus(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    before = _digest(path)
    listing = sorted(p.name for p in tmp_path.rglob("*"))

    result = run_cli("validate", path, "--format", "json")

    assert result.exit_code == case.exit_code, result.output
    assert _digest(path) == before, "the input file was changed"
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing, "validate wrote a file"
    payload = json.loads(result.stdout)
    if case.exit_code == 2:
        # One clear line on stderr that names the file and the reason.
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, result.stderr
        assert path.name in lines[0] and case.expect in lines[0], lines[0]
        assert payload["ok"] is False and payload["error"]["code"]
        if case.fix:
            assert case.fix in lines[0]
        return
    problems = payload["errors"] + payload["warnings"]
    assert payload["ok"] is (case.exit_code == 0)
    if not case.expect:
        assert not payload["errors"], payload["errors"]
        return
    hits = [p for p in problems if p["code"] == case.expect]
    assert hits, f"no {case.expect} in {problems}"
    hit = hits[0]
    assert hit["sheet"] == case.sheet
    if case.cell:
        assert hit["cell"] == case.cell, hit
    if case.fix:
        assert case.fix in hit["message"], hit["message"]
    assert set(hit) == {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
