# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Re-install when the project's dependencies change.
STAMP      := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# An editable install leaves reporter's modules uncompiled: compile them, as installing a
# package does, so that no run pays for it (where PYTHONDONTWRITEBYTECODE is set, every
# run would; 0.05 s of each command's start).
COMPILE    := $(BIN)/python -m compileall -q reporter

.DEFAULT_GOAL := test
.PHONY: demo test lint bench sample template briefing-template readme-image readme-tables clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "reporter needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	$(COMPILE)
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

demo: $(STAMP)
	$(BIN)/reporter build input/cooperation.xlsx --out reports
	@echo
	@echo "The briefings are in reports/<meeting>/. To run reporter yourself:"
	@echo "  . $(BIN)/activate        (then: reporter --help)"
	@echo "  or call $(BIN)/reporter directly"

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m benchmarks.run

# Maintainers: regenerate the committed template and sample workbook.
template: $(STAMP)
	$(BIN)/reporter init templates/cooperation-template.xlsx --force
sample: $(STAMP)
	$(BIN)/python tools/make_sample.py
briefing-template: $(STAMP)
	$(BIN)/python tools/make_briefing_template.py
	cp templates/briefing.docx reporter/render/data/briefing.docx
readme-tables: $(STAMP)
	$(BIN)/python -m reporter.schema.describe README.md
readme-image: $(STAMP)
	$(BIN)/python tools/readme_image.py

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis
