"""The README and --help keep up with the code."""

from __future__ import annotations

import re

import typer.main

from reporter.cli import app
from reporter.codes import CHECK_CODES, ERROR_CODES, Status
from reporter.errors import ExitCode
from reporter.problems import CODES
from reporter.reconcile.wording import _EN as ENGLISH
from reporter.schema import DATA_SHEETS, describe
from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict:
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_every_command_has_help() -> None:
    for name, command in _commands().items():
        assert command.help, f"reporter {name} is missing its help"
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"reporter {name} {param.opts[0]} has no help"


def test_help_runs_for_every_command() -> None:
    assert run_cli("--help").exit_code == 0
    for name in _commands():
        result = run_cli(name, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_readme_opens_with_the_two_commands() -> None:
    head = "\n".join(README.splitlines()[:25])
    assert "make demo" in head and "make test" in head


def test_readme_documents_commands_codes_and_format() -> None:
    for name in _commands():
        assert f"reporter {name}" in README, f"README does not describe `reporter {name}`"
    for code in CODES:
        assert f"`{code}`" in README, f"README does not list problem code {code}"
    for code in ERROR_CODES:
        assert f"`{code}`" in README, f"README does not list error code {code}"
    for exit_code in ExitCode:
        assert re.search(rf"\|\s*{int(exit_code)}\s*\|", README), f"exit code {int(exit_code)}"
    for spec in DATA_SHEETS:
        for c in spec.columns:
            assert c.header in README


def test_readme_format_tables_follow_the_declaration() -> None:
    assert describe.section(README) == describe.markdown().strip("\n"), (
        "README's format tables differ from reporter/schema: run `make readme-tables`")


def test_readme_lists_every_check_code_with_its_status_and_every_status() -> None:
    for code, spec in CHECK_CODES.items():
        assert re.search(rf"^\| `{re.escape(code)}` \| {spec.status.value} \|", README, re.M), (
            f"README does not list check code {code} as {spec.status.value}")
    for status in Status:
        assert re.search(rf"^\| `{status.value}` \|", README, re.M), f"status {status.value}"


def test_every_check_code_has_an_english_message() -> None:
    assert set(ENGLISH) == set(CHECK_CODES)


def test_the_readmes_fact_file_example_loads_and_its_figure_ties_a_row(tmp_path) -> None:
    """The example under *Preparing a meeting* is a working fact file."""
    import re as _re

    from reporter.facts import load_facts

    block = _re.search(r"```toml\n(.*?)```", README.split("## Preparing a meeting")[1], _re.S)
    path = tmp_path / "local.toml"
    path.write_text(block.group(1), encoding="utf-8")
    base = load_facts([path])
    assert "sz-projects-2025" in {f.id for f in base.figures}
    result = run_cli("validate", ROOT / "input" / "cooperation.xlsx", "--facts", path)
    assert result.exit_code == 0, result.output
