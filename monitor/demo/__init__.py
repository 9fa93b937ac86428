"""A local synthetic marketplace (Alibaba.com page families; one supplier each on Made-in-China.com, Global
Sources, IndiaMART and 1688; one supplier's own website) that the monitor can watch in demos and tests.

Names are imported lazily so that ``python -m monitor.demo.marketplace`` does not import the module twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.demo.marketplace import DemoMarketplace
    from monitor.demo.scenario import Scenario, demo_suppliers

__all__ = ["DemoMarketplace", "Scenario", "demo_suppliers"]


def __getattr__(name: str) -> Any:
    if name == "DemoMarketplace":
        from monitor.demo.marketplace import DemoMarketplace

        return DemoMarketplace
    if name in ("Scenario", "demo_suppliers"):
        from monitor.demo import scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'monitor.demo' has no attribute {name!r}")
