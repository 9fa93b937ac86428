"""Page renderers of the demo marketplace: one module per Alibaba.com page family, one for Made-in-China.com,
and the HTML templates of the other platforms' families (:mod:`.templated`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from monitor.demo.pages import cpmodules, detaildata, legacy, made_in_china, shopbizdata, templated
from monitor.demo.scenario import TEMPLATE_FAMILIES, Family, Supplier

Renderer = Callable[[Supplier, str], str]

RENDERERS: dict[Family, Renderer] = {
    "shopbizdata": shopbizdata.render,
    "detaildata": detaildata.render,
    "cpmodules": cpmodules.render,
    "legacy": legacy.render,
    "mic_company": made_in_china.render,
    **{family: partial(templated.render, family=family) for family in TEMPLATE_FAMILIES},
}


def render_supplier(supplier: Supplier, base_url: str, family: Family | None = None) -> str:
    """Render ``supplier`` in its own family (or in ``family``, e.g. a product supplier's profile)."""
    return RENDERERS[family or supplier.family](supplier, base_url.rstrip("/"))
