"""Fuzzing: arbitrary values in any column of a valid workbook never end in a traceback,
and every file a build writes opens with openpyxl and python-docx."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reporter.schema import AGREEMENTS, MEETINGS, METRICS
from reporter.template import write_workbook
from tests.conftest import run_cli
from tools import make_sample

pytestmark = pytest.mark.slow

SHEETS = {MEETINGS.name: (MEETINGS, make_sample.MEETINGS),
          AGREEMENTS.name: (AGREEMENTS, make_sample.AGREEMENTS),
          METRICS.name: (METRICS, make_sample.METRICS)}

values = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200),
    st.sampled_from(["上海交通大学", "🤝📈", "=1+2", "+cmd", "-x", "@SUM(1)", "\tx", "\rx",
                     "_x000D_", "  ", "32.3 billion", "1/15", "约2.5万", "2024-05-24",
                     "05/06/2024", "TRUE", "1,234", "city", "M-SUZHOU", "g60"]),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),
    st.builds(lambda n, c: c * n, st.integers(min_value=1000, max_value=33_000),
              st.sampled_from(["x", "长", "ab "])),
)
edits = st.lists(st.tuples(st.sampled_from(list(SHEETS)), st.integers(min_value=0, max_value=30),
                           st.integers(min_value=0, max_value=11), values),
                 min_size=1, max_size=6)


def _workbook(path: Path, changes) -> Path:
    rows = {name: [dict(r) for r in sample] for name, (_, sample) in SHEETS.items()}
    for sheet, i, j, value in changes:
        spec, _ = SHEETS[sheet]
        table = rows[sheet]
        field = spec.columns[j % len(spec.columns)].field
        table[i % len(table)][field] = value
    return write_workbook(path, rows, force=True)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(changes=edits)
def test_arbitrary_values_never_crash(tmp_path_factory, changes) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    path = _workbook(tmp / "fuzz.xlsx", changes)
    before = path.read_bytes()
    checked = run_cli("validate", path, "--format", "json")
    assert checked.exit_code in (0, 1), checked.output
    out = tmp / "reports"
    built = run_cli("build", path, "--out", out, "-q")
    assert path.read_bytes() == before
    if checked.exit_code == 1:
        assert built.exit_code == 1 and not out.exists()
        return
    assert built.exit_code == 0, built.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for xlsx in out.rglob("*.xlsx"):
            wb = load_workbook(xlsx)
            assert wb.sheetnames
        for briefing in out.rglob("*.docx"):
            d = docx.Document(str(briefing))
            assert d.paragraphs[0].text.startswith("Briefing:")
