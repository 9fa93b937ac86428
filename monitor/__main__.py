"""`python -m monitor` is the `supplier-monitor` command."""

from monitor.cli import app

app(prog_name="supplier-monitor")
