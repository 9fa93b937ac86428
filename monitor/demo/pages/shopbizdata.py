"""Family ``shopbizdata``: the current company profile layout.

The served HTML carries the data only in ``<script>window.shopBizData = {...};</script>`` (globalData,
pageModuleMap[] looked up by moduleName) and leaves the section containers empty; an inline script renders
them in the browser, as the real site's JS does. A plain-HTTP fetch therefore sees empty sections and must
read the data object, while a browser sees rendered text.
"""

from __future__ import annotations

from typing import Any

from monitor.demo.pages.common import esc, page, script_json
from monitor.demo.scenario import Supplier

MODULE_ORDER: tuple[str, ...] = (
    "supplierPerformance",
    "factoryCapability",
    "productCategories",
    "tradeCapacityMarkets",
    "certifications",
    "reviews",
    "supplierActionBar",
)

# Renders the data object into the empty containers with textContent only (never innerHTML), so hostile
# values stay text in the DOM.
_RENDER_JS = r"""
(function () {
  var data = window.shopBizData || {};
  var modules = {};
  (data.pageModuleMap || []).forEach(function (m) { modules[m.moduleName] = m.moduleData || {}; });
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function box(name) { return document.querySelector('[data-module-name="' + name + '"]'); }
  var perf = modules.supplierPerformance || {};
  var head = document.getElementById('company-name');
  if (head && perf.companyName) { head.textContent = perf.companyName; }
  var b = box('supplierPerformance');
  if (b) {
    b.appendChild(el('h2', 'module-title', perf.companyName || ''));
    ['years', 'reviews', 'reorderRate', 'responseTime', 'shippingDays'].forEach(function (k) {
      var f = perf[k]; if (!f) { return; }
      var row = el('div', 'perf-item'); row.setAttribute('data-field', k);
      row.appendChild(el('span', 'perf-label', f.label));
      row.appendChild(el('span', 'perf-value', f.value));
      b.appendChild(row);
    });
    ['onlineTransactions', 'bigBuyerCount'].forEach(function (k) {
      var f = perf[k]; if (!f) { return; }
      var row = el('div', 'perf-item'); row.setAttribute('data-field', k);
      row.appendChild(el('span', 'perf-label', f.label));
      row.appendChild(el('span', 'perf-value', f.amount));
      b.appendChild(row);
    });
  }
  b = box('factoryCapability');
  if (b) {
    b.appendChild(el('h2', 'module-title', 'Factory capability'));
    ((modules.factoryCapability || {}).cards || []).forEach(function (card) {
      var c = el('div', 'capability-card');
      (card.items || []).forEach(function (it) {
        var row = el('div', 'capability-item ' + (it.type || ''));
        row.setAttribute('data-field', it.fieldName || '');
        row.appendChild(el('span', 'capability-label', it.label));
        if (it.type === 'kv') { row.appendChild(el('span', 'capability-value', it.value)); }
        else { row.appendChild(el('span', 'capability-verified', 'Verified')); }
        c.appendChild(row);
      });
      b.appendChild(c);
    });
  }
  b = box('productCategories');
  if (b) {
    ((modules.productCategories || {}).categories || []).forEach(function (cat) {
      b.appendChild(el('div', 'category-item', cat.name));
    });
  }
  b = box('tradeCapacityMarkets');
  if (b) {
    b.appendChild(el('h2', 'module-title', 'Main markets'));
    ((modules.tradeCapacityMarkets || {}).markets || []).forEach(function (m) {
      var row = el('div', 'market-item');
      row.appendChild(el('span', 'market-name', m.name));
      row.appendChild(el('span', 'market-share', (parseFloat(m.percentage) * 100).toFixed(0) + '%'));
      b.appendChild(row);
    });
  }
  b = box('certifications');
  if (b) {
    b.appendChild(el('h2', 'module-title', 'Certifications'));
    ((modules.certifications || {}).items || []).forEach(function (it) {
      var card = el('div', 'cert-item');
      card.setAttribute('data-cert-id', it.certId || '');
      card.appendChild(el('div', 'cert-name', it.name));
      card.appendChild(el('div', 'cert-category', it.category));
      if (it.certificateValidityPeriod) { card.appendChild(el('div', 'cert-period', it.certificateValidityPeriod)); }
      if (it.description) { card.appendChild(el('div', 'cert-desc', it.description)); }
      b.appendChild(card);
    });
  }
  b = box('reviews');
  if (b) { b.appendChild(el('h2', 'module-title', (modules.reviews || {}).title || 'Reviews')); }
  b = box('supplierActionBar');
  if (b) {
    var bar = modules.supplierActionBar || {};
    b.appendChild(el('span', 'action-company', bar.companyName));
    b.appendChild(el('span', 'action-rating', bar.rating));
    b.appendChild(el('a', 'action-contact', 'Contact supplier'));
  }
  document.documentElement.setAttribute('data-rendered', 'true');
})();
"""


def shop_biz_data(s: Supplier) -> dict[str, Any]:
    """The ``window.shopBizData`` object with the real key names."""
    years = f"{s.join_years} yrs"
    cards: list[dict[str, Any]] = [
        {
            "items": [
                {"fieldName": "odm_service_levels", "label": "Customized on Demand", "type": "verified"},
                {"fieldName": "odm_service_levels", "label": "Sample Processing", "type": "verified"},
            ]
        },
        {
            "items": [
                {
                    "fieldName": "employee_count",
                    "label": "Total employees",
                    "type": "kv",
                    "value": str(s.employee_count),
                },
                {
                    "fieldName": "export_experience_years",
                    "label": "Years exporting",
                    "type": "kv",
                    "value": str(max(1, 2026 - s.established_year - 2)),
                },
            ]
        },
        {
            "items": [
                {
                    "fieldName": "production_line_count",
                    "label": "Number of production line",
                    "type": "kv",
                    "value": "4",
                },
                {"fieldName": "factory_area_sqm", "label": "Floor space(㎡)", "type": "kv", "value": "5200"},
            ]
        },
        {
            "items": [
                {"fieldName": "product_inspection_types", "label": "Product inspection method", "type": "verified"},
                {"fieldName": "qc_staff_count", "label": "QA/QC inspectors", "type": "kv", "value": "6"},
            ]
        },
    ]
    certs = [
        {
            "name": c.name,
            "category": c.category,
            "certId": c.number or "",
            "description": c.scope,
            "certificateValidityPeriod": c.validity_period,
            "photo": c.photo,
        }
        for c in s.certificates
    ]
    return {
        "globalData": {"esiteSubDomain": {"fieldName": "esiteSubDomain", "value": s.subdomain}},
        "pageModuleMap": [
            {
                "moduleName": "supplierPerformance",
                "moduleData": {
                    "companyName": s.name,
                    "years": {"label": "years", "value": years},
                    "reviews": {"label": "reviews", "value": str(s.rating), "count": s.review_count},
                    "onlineTransactions": {"label": "Online revenue", "amount": "US $100K − $200K"},
                    "bigBuyerCount": {"label": "Top buyers served", "amount": "12"},
                    "reorderRate": {"label": "Reorder rate", "value": "31.5%"},
                    "responseTime": {"label": "Response time", "value": s.response_time},
                    "shippingDays": {"label": "Average dispatch time", "value": "18.2d"},
                },
            },
            {"moduleName": "factoryCapability", "moduleData": {"cards": cards}},
            {
                "moduleName": "productCategories",
                "moduleData": {"categories": [{"name": p} for p in s.main_products]},
            },
            {
                "moduleName": "tradeCapacityMarkets",
                "moduleData": {"markets": [{"name": n, "percentage": p} for n, p in s.main_markets]},
            },
            {"moduleName": "certifications", "moduleData": {"items": certs}},
            {"moduleName": "reviews", "moduleData": {"title": "Reviews"}},
            {
                "moduleName": "supplierActionBar",
                "moduleData": {"companyName": s.name, "rating": s.rating, "reviewCount": s.review_count},
            },
        ],
    }


def render(s: Supplier, base_url: str) -> str:
    """The served HTML: empty containers, the data script, then the render script."""
    containers = "\n".join(f'    <div class="module-{name}" data-module-name="{name}"></div>' for name in MODULE_ORDER)
    body = (
        '<div id="shop-root" class="shop-profile-page">\n'
        '  <h1 id="company-name" class="shop-company-name"></h1>\n'
        f'  <nav class="shop-nav"><a href="{esc(base_url + s.path)}">Company profile</a></nav>\n'
        '  <div id="shop-modules">\n'
        f"{containers}\n"
        "  </div>\n"
        "</div>\n"
        f"<script>window.shopBizData = {script_json(shop_biz_data(s))};</script>\n"
        f"<script>{_RENDER_JS}</script>"
    )
    return page(f"Company Overview - {s.name}", body, body_class="shop-profile")
