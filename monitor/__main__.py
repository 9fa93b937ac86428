"""`python -m monitor` is the `supplier-monitor` command."""

from monitor.cli import run_cli

run_cli()
