"""`python -m checker.cli` runs the `lianjian` command."""

from checker.cli import main

main()
