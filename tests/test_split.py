"""`check --split-by unit` and `-o html:FOLDER/`: one printable 问题清单 per unit; XLSX a sheet per unit."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from checker.cli import main
from tests.conftest import DEMO

ARGS = ["check", str(DEMO), "--profile", "speech", "--as-of", "2020-07-10", "--workers", "1"]
UNITS = {"JTJ": "宣州市交通运输局", "LQ": "宣州市路桥工程处", "GL": "宣州市公路管理处", "YG": "宣州市运输管理处",
         "ZF": "宣州市交通综合执法支队", "GH": "宣州市港航管理处", "ZJ": "宣州市交通质量监督站",
         "JG": "宣州市交通运输局机关党委"}


def _findings_by_unit() -> dict[str, int]:
    import json
    from collections import Counter

    report = json.loads(CliRunner().invoke(main, [*ARGS, "--format", "json"]).stdout)
    return Counter(f["unit"] for f in report["findings"])


def test_a_folder_target_writes_one_hand_over_list_per_unit(tmp_path):
    folder = tmp_path / "问题清单"
    result = CliRunner().invoke(main, [*ARGS, "-o", f"html:{folder}/"], catch_exceptions=False)
    assert result.exit_code == 1
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(f"{name}（{code}）问题清单.html" for code, name in UNITS.items())
    page = (folder / "宣州市港航管理处（GH）问题清单.html").read_text(encoding="utf-8")
    assert "整改时限" in page and "于洪波" in page and "宣州市公路管理处" not in page
    assert page.count("<tr class=\"sev-") == _findings_by_unit()["GH"]  # GH's findings, one row each


def test_split_by_unit_puts_a_sheet_per_unit_in_the_workbook(tmp_path):
    book_path = tmp_path / "问题清单.xlsx"
    result = CliRunner().invoke(main, [*ARGS, "--split-by", "unit", "-o", f"xlsx:{book_path}"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    book = openpyxl.load_workbook(book_path)
    assert set(UNITS.values()) <= set(book.sheetnames)
    counts = _findings_by_unit()
    assert book["宣州市港航管理处"].max_row == counts["GH"] + 1 and book["问题清单"].max_row == sum(counts.values()) + 1


def test_split_by_unit_needs_somewhere_to_write():
    result = CliRunner().invoke(main, [*ARGS, "--split-by", "unit"])
    assert result.exit_code == 4 and "-o" in result.output
