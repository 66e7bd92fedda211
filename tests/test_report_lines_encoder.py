"""A unit's report lines as the judging process writes them (checker.verdict.report_lines
`LineEncoder`: the parts many findings share encoded once and spliced in) are, byte for byte, each
finding's `entry` encoded as a line (`line`), the one definition the other formats read too: for
the demo's violations and leads of every rule, with and without a table row, an amount, an
escalated severity or other rules broken, marked by a waiver or a baseline status, in Chinese and
in English; so a change to the entry that the encoder does not follow fails here."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from checker.cli.audit import Marks
from checker.run.check import Options, run
from checker.verdict.findings import NO_EVIDENCE_VIEW
from checker.verdict.report_lines import LineEncoder, LineFiles, ParameterViews, entry, line
from tests.conftest import DEMO, ROOT

AS_OF = dt.date(2020, 7, 10)
WAIVERS = ROOT / "fixtures" / "waivers" / "demo.yaml"


@pytest.fixture(scope="module")
def demo():
    """(profiles, [(unit, its name, its findings in report order)]) of the demo, waivers marked."""
    result = run(DEMO, Options(profile="speech", as_of=AS_OF, workers=1, isolate=False,
                               mark=Marks(WAIVERS, None, False, None, AS_OF)))
    names = {r.id: r.record.name for r in result.data.records if r.type == "unit"}
    units = [(u, names.get(u) or u, result.findings.of_unit(u)) for u in result.findings.units()]
    return {p.id: p.title.model_dump() for p in result.profiles}, [u for u in units if u[2]]


def expected_lines(found, lang, name, views):
    return b"".join(line(entry(f, lang, name, views)) for f in found)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demos_lines_are_its_entries_encoded(demo, lang):
    profiles, units = demo
    encoder, views = LineEncoder(lang, ParameterViews(profiles)), ParameterViews(profiles)
    for _, name, found in units:
        assert b"".join(encoder.lines(found, name)) == expected_lines(found, lang, name, views)
    found = [f for _, _, unit_found in units for f in unit_found]
    kinds = {"lead": any(f.lead for f in found), "violation": any(f.lead is None for f in found),
             "table row": any(f.extra.get("matched_row") for f in found),
             "amount": any(f.extra.get("amount_fen") is not None for f in found),
             "no amount": any(f.extra.get("amount_fen") is None for f in found),
             "escalated": any("severity" in f.extra for f in found), "also breaks": any(f.also for f in found),
             "waived": any(f.waiver for f in found), "rules": len({f.rule.rule.id for f in found}) >= 50}
    assert all(kinds.values()), f"the demo no longer has findings of each kind: {kinds}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_that_differ_from_their_neighbours_only_in_their_marks_keep_their_own(demo, lang):
    """The run from "responsible" on is shared only by findings with no waiver, status, lead or
    other rule broken, and the rule's run by findings of one severity: a unit mixing plain findings
    with each variation, in one call, gives each its own."""
    profiles, units = demo
    other_chain = [{"person": "P-X", "name": "某人", "post": None, "role": "first_responsible", "role_label": "第一责任人"}]
    for _, name, found in units:
        mixed = []
        for f in found:
            mixed += [f, dataclasses.replace(f, status="new"), dataclasses.replace(f, also=["XX-OTHER"]),
                      dataclasses.replace(f, lead="a reason"), dataclasses.replace(f, waiver={"id": "W-1"}),
                      dataclasses.replace(f, extra={**f.extra, "severity": "critical"}),
                      dataclasses.replace(f, responsible=other_chain), f]
        encoder, views = LineEncoder(lang, ParameterViews(profiles)), ParameterViews(profiles)
        assert b"".join(encoder.lines(mixed, name)) == expected_lines(mixed, lang, name, views)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rules_findings_with_and_without_a_table_row_keep_their_own_parameters_view(demo, lang):
    """A finding with a table row shows the row's parameters, not its rule's: whichever comes first."""
    profiles, units = demo
    views = ParameterViews(profiles)
    for _, name, found in units:
        for f in found:
            if not f.extra.get("matched_row"):
                continue
            without = dataclasses.replace(f, extra={k: v for k, v in f.extra.items() if k != "matched_row"})
            assert views(f) != views(without), "the demo's table row changes the view"
            for mixed in ([without, f, without], [f, without, f]):
                encoder = LineEncoder(lang, ParameterViews(profiles))
                assert b"".join(encoder.lines(mixed, name)) == expected_lines(mixed, lang, name, views)


def test_a_rule_cached_under_an_id_now_another_rules_is_made_again(demo):
    """The rule's run is cached by the rule's id, which Python gives to another object once the
    rule is freed: the cached rule is checked to be the finding's."""
    profiles, units = demo
    _, name, found = units[0]
    encoder = LineEncoder("zh", ParameterViews(profiles))
    first = found[0]
    other = next(f for _, _, unit_found in units for f in unit_found if f.rule is not first.rule)
    encoder.lines([other], name)
    stale = encoder._rules[(id(other.rule), other.standard, other.extra.get("severity"),
                            not other.extra.get("matched_row"))]
    encoder._rules[(id(first.rule), first.standard, first.extra.get("severity"), not first.extra.get("matched_row"))] = stale
    assert b"".join(encoder.lines([first], name)) == expected_lines([first], "zh", name, ParameterViews(profiles))


def test_the_files_lines_are_the_encoders(demo, tmp_path):
    profiles, units = demo
    files = LineFiles("en", profiles, under=tmp_path)
    try:
        for unit, name, found in units:
            written = files.write(found, name, unit, [])
            views = ParameterViews(profiles)
            assert files.read(written, "findings") == expected_lines([f for f in found if f.lead is None], "en",
                                                                     name, views)
            assert files.read(written, "leads") == expected_lines([f for f in found if f.lead is not None], "en",
                                                                  name, views)
    finally:
        files.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_of_rules_without_evidence_values_share_their_evidences_run(demo, lang):
    """A finding of a rule without evidence values (`NO_EVIDENCE_VIEW`, as build_unit makes it) whose
    evidence is its parameters alone takes its run from "evidence" to "amount_fen" made once for those
    parameters; one with more evidence (an escalated repeat), other parameters, evidence without
    parameters or another view of its own is encoded whole: each gives its entry's line."""
    profiles, units = demo
    views = ParameterViews(profiles)
    plain = [dataclasses.replace(f, extra={**f.extra, "evidence_view": NO_EVIDENCE_VIEW})
             for _, _, found in units for f in found
             if f.extra.get("evidence_view") == NO_EVIDENCE_VIEW and list(f.evidence) == ["parameters"]]
    assert len({id(f.rule) for f in plain}) >= 3, "the demo has findings of rules without evidence values"
    mixed = []
    for f in plain:
        mixed += [f, dataclasses.replace(f, evidence={**f.evidence, "repeat_of": "x", "repeat_days": 3}),
                  dataclasses.replace(f, evidence={"parameters": {**f.evidence["parameters"], "x": {"value": 1}}}),
                  dataclasses.replace(f, evidence={"other": 1}), dataclasses.replace(f, evidence={"parameters": None}),
                  dataclasses.replace(f, extra={**f.extra, "evidence_view": {"zh": [], "en": []}}), f]
    encoder = LineEncoder(lang, ParameterViews(profiles))
    assert b"".join(encoder.lines(mixed, "单位")) == expected_lines(mixed, lang, "单位", views)
    assert b"".join(encoder.lines(mixed, "单位")) == expected_lines(mixed, lang, "单位", views)  # from the cache


def test_an_evidence_run_cached_under_an_id_now_another_objects_is_made_again(demo):
    profiles, units = demo
    plain = [dataclasses.replace(f, extra={**f.extra, "evidence_view": NO_EVIDENCE_VIEW})
             for _, _, found in units for f in found
             if f.extra.get("evidence_view") == NO_EVIDENCE_VIEW and list(f.evidence) == ["parameters"]]
    first = plain[0]
    other = next(f for f in plain if f.evidence["parameters"] != first.evidence["parameters"])
    encoder = LineEncoder("zh", ParameterViews(profiles))
    encoder.lines([other], "单位")
    encoder._evidence[id(first.evidence["parameters"])] = encoder._evidence[id(other.evidence["parameters"])]
    assert b"".join(encoder.lines([first], "单位")) == expected_lines([first], "zh", "单位", ParameterViews(profiles))
