"""`python -m aefix` runs the CLI."""

from aefix.cli import main

main()
