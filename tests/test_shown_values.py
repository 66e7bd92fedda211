"""Values as a finding's message and evidence show them: the forms kept for values met before (a
finding's sum shows in its message and again in its evidence) are the forms, and the memory of them
stays bounded on a run of millions of findings."""

from __future__ import annotations

import pytest

from checker.text import formats
from checker.verdict import messages


@pytest.mark.parametrize("kind, form", [("yuan", formats.yuan), ("date", formats.day)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_remembered_form_is_the_form_and_the_memory_stays_bounded(kind, form, lang):
    shown = messages.shower(kind, lang)
    values = [*range(730000, 730000 + 3 * messages.REMEMBERED), 1, 0]
    for _ in range(2):  # the second time partly from memory
        assert [shown(v, None, None) for v in values] == [form(v, lang) for v in values]
    seen = next(cell.cell_contents for cell in shown.__closure__ or () if isinstance(cell.cell_contents, dict))
    assert 0 < len(seen) <= messages.REMEMBERED
    assert shown(True, None, None) == messages.show(True, kind, lang)  # not an int: shown as `show` would
