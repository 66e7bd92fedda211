"""yamlio.load_with_item_lines: one parse gives what `load` and the lines of a separate compose gave."""

import pytest
import yaml

from checker.data import yamlio

TEXTS = ["", "- a: 1\n- b: [1, 2]\n\n- c: x\n", "a: 1\nb: 2\n", "just text\n", "- 1\n- - 2\n  - 3\n- {x: y}\n",
         "# a comment\n\n- id: R1\n  when: 2020-01-01\n- id: R2\n"]


@pytest.mark.parametrize("text", TEXTS)
def test_one_parse_gives_the_data_and_the_item_lines(text):
    node = yaml.compose(text, Loader=yamlio._LOADER)
    lines = [item.start_mark.line + 1 for item in node.value] if isinstance(node, yaml.SequenceNode) else []
    assert yamlio.load_with_item_lines(text) == (yamlio.load(text), lines)


def test_a_yaml_error_is_raised_as_before():
    with pytest.raises(yamlio.YAMLError):
        yamlio.load_with_item_lines("- a: [1\n- b\n")
