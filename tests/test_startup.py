"""What a check imports before it reads data: the libraries of formats it does not write are left
for the runs that write them (openpyxl alone is ~0.2 s of every check's start)."""

import subprocess
import sys


def test_a_json_check_does_not_import_the_xlsx_and_html_libraries(tmp_path):
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from checker.cli import main\n"
        f"result = CliRunner().invoke(main, ['check', 'fixtures/demo', '--profile', 'speech', '--as-of', '2020-07-10',"
        f" '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}, '--workers', '1'])\n"
        "assert result.exit_code == 1, result.output\n"
        "print(sorted(name for name in ('openpyxl', 'jinja2') if name in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
