"""The evaluators: durable-rules (`durable`, the default) and the plain-Python reference evaluator
(`reference`, used in the differential test and by `--engine reference`), behind one interface."""

from __future__ import annotations

from checker.engine.durable import Engine, durable_ruleset
from checker.engine.matches import EngineMatch, Evaluator
from checker.engine.reference import ReferenceEvaluator
from checker.ruleset.matchers import Matcher

EVALUATORS = {"durable": Engine, "reference": ReferenceEvaluator}


def make_evaluator(kind: str, found: list[Matcher]) -> Evaluator:
    return EVALUATORS[kind](found)


def check_engine_limits(found: list[Matcher]) -> None:
    """What durable-rules would refuse, raised as a rule error (file:line) before any unit is judged,
    whichever evaluator then runs."""
    durable_ruleset(found)


__all__ = ["EVALUATORS", "EngineMatch", "Evaluator", "check_engine_limits", "make_evaluator"]
