"""Rules, profiles and the engine's limits are checked before any unit is judged: a located error
and exit 3, never worker tracebacks and an empty (clean-looking) report."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.ruleset.catalogue import default_rules_dir
from checker.ruleset.fields import readable
from checker.run.check import Options, unit_batches
from tests.conftest import DEMO


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_every_derived_fact_carries_only_fields_a_condition_may_read():
    seen = 0
    for _, batch in unit_batches(DEMO, Options(profile="speech", as_of=dt.date(2021, 3, 31), period="2020")):
        for fact in batch.facts:
            extra = set(fact) - readable(fact["t"])
            assert not extra, f"{fact['t']} facts carry {sorted(extra)}: add them to checker/ruleset/fields.py"
            seen += 1
    assert seen > 800


@pytest.fixture
def catalogue(tmp_path):
    """A copy of the built-in catalogue to break."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, message", [
    ("eight_point/reception.yaml", "where: [official_letter is missing]", "where: [offical_letter is missing]",
     "reads 'offical_letter', which reception records do not have"),
    ("eight_point/travel.yaml", "person == a.person", "person == c.person", "no part is joined as 'c'"),
    ("eight_point/reception.yaml", "escorts: escorts\n", "escorts: escort\n", "reads 'escort'"),  # evidence
    ("profiles/speech.yaml", "parameters:\n", "parameters:\n  no_such_cap: {value: 3, source: x}\n",
     "parameter 'no_such_cap' is declared by no rule"),
], ids=["misspelt-field", "unknown-alias", "misspelt-evidence", "unknown-profile-parameter"])
def test_a_broken_catalogue_exits_3_located(catalogue, file, old, new, message):
    _replace(catalogue / file, old, new)
    result = run("check", DEMO, "--rules", catalogue, "--profile", "speech", "--as-of", "2020-07-10")
    assert result.exit_code == 3, result.output
    assert message in result.output
    assert f"{file}:" in result.output, "located: file and line"
    assert "Traceback" not in result.output


def test_a_profile_value_of_the_wrong_type_exits_3(catalogue):
    text = (catalogue / "profiles" / "speech.yaml").read_text(encoding="utf-8")
    (catalogue / "profiles" / "speech.yaml").write_text(
        text + "  EP-REC-ESCORTS:\n    small_group_escorts: {value: 三人, source: typo}\n"
        if "\nrules:\n" in text else text + "rules:\n  EP-REC-ESCORTS:\n    small_group_escorts: {value: 三人, source: typo}\n",
        encoding="utf-8")
    result = run("check", DEMO, "--rules", catalogue, "--profile", "speech", "--as-of", "2020-07-10")
    assert result.exit_code == 3 and "small_group_escorts is a number" in result.output, result.output


def test_a_misspelt_profile_key_exits_3(catalogue):
    _replace(catalogue / "profiles" / "speech.yaml", "parameters:", "paramters:")
    result = run("check", DEMO, "--rules", catalogue, "--profile", "speech")
    assert result.exit_code == 3 and "speech.yaml" in result.output, result.output


def test_an_empty_rules_folder_exits_3(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "central.yaml").write_text("id: central\ntitle: {zh: 中, en: c}\n", encoding="utf-8")
    result = run("check", DEMO, "--rules", tmp_path)
    assert result.exit_code == 3 and "no rules found" in result.output


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_what_the_engine_would_refuse_exits_3_whichever_evaluator_runs(catalogue, engine):
    _replace(catalogue / "eight_point/reception.yaml", "escorts > guests / $large_group_ratio", "escorts > guests / meals")
    result = run("check", DEMO, "--rules", catalogue, "--engine", engine, "--as-of", "2020-07-10")
    assert result.exit_code == 3 and "divide only by a non-zero constant" in result.output, result.output


def test_rules_lint_passes_on_the_catalogue_and_fails_located_on_a_broken_one(catalogue):
    assert run("rules", "lint").exit_code == 0
    _replace(catalogue / "eight_point/reception.yaml", "where: [official_letter is missing]",
             "where: [offical_letter is missing]")
    result = run("rules", "lint", "--rules", catalogue)
    assert result.exit_code == 3 and "reception.yaml:" in result.output


def test_a_rules_test_selection_must_match_a_rule():
    result = run("rules", "test", "-k", "EP-REC-ESCROTS")
    assert result.exit_code == 4 and "EP-REC-ESCORTS" in result.output
