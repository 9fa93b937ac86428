"""The one severity scale (monitor.severity): its order, and that everything graded or shown uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.alerts.channels.console import SEVERITY_STYLES
from monitor.alerts.channels.webhook import _TEAMS_COLOURS
from monitor.alerts.model import Alert, AlertKind, AlertSupplier
from monitor.alerts.render import _SEVERITY_COLOURS, sort_alerts
from monitor.changes.diff import SEVERITY as CHANGE_SEVERITY
from monitor.changes.events import CHECK_FAILING_SEVERITY, LAYOUT_CHANGED_SEVERITY
from monitor.config import ConfigError, load_config
from monitor.severity import Severity, counts_by_severity, worst_first
from monitor.verify import all_rules
from monitor.web.plot import SEVERITY_COLOURS


def test_the_scale_is_worst_first_and_ranked_down_to_info() -> None:
    assert [s.value for s in Severity] == ["critical", "high", "medium", "low", "info"]
    assert [s.rank for s in Severity] == [4, 3, 2, 1, 0]


@pytest.mark.parametrize("value", ["CRITICAL", "urgent", "", None, 3, ["high"], "high "])
def test_values_off_the_scale_are_not_severities_and_rank_as_info(value: object) -> None:
    assert Severity.parse(value) is None
    assert Severity.rank_of(value) == 0


def test_stored_strings_are_read_as_severities() -> None:
    assert Severity.parse("medium") is Severity.MEDIUM
    assert Severity.rank_of("critical") == 4


def test_worst_first_is_stable_within_a_severity() -> None:
    items = [("a", "low"), ("b", "critical"), ("c", "low"), ("d", "bogus"), ("e", "info"), ("f", "critical")]
    assert [name for name, _ in worst_first(items, lambda item: item[1])] == ["b", "f", "a", "c", "d", "e"]


def test_counts_cover_the_whole_scale_and_keep_what_is_off_it() -> None:
    assert counts_by_severity({"high": 2, "legacy": 1}) == {
        "critical": 0,
        "high": 2,
        "medium": 0,
        "low": 0,
        "info": 0,
        "legacy": 1,
    }
    assert list(counts_by_severity({})) == [s.value for s in Severity]


@pytest.mark.parametrize(
    "shown",
    [SEVERITY_STYLES, _TEAMS_COLOURS, _SEVERITY_COLOURS, SEVERITY_COLOURS],
    ids=["terminal", "teams", "email", "chart"],
)
def test_every_view_has_a_look_for_every_severity(shown: dict[str, str]) -> None:
    assert set(shown) == set(Severity)


def test_everything_that_grades_grades_on_the_scale() -> None:
    assert all(Severity.parse(v) is not None for v in CHANGE_SEVERITY.values())
    assert all(isinstance(r.severity, Severity) for r in all_rules().values())
    assert {CHECK_FAILING_SEVERITY, LAYOUT_CHANGED_SEVERITY} <= set(Severity)


def test_a_recipient_severity_off_the_scale_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    data = {"recipients": [{"name": "Buyers", "console": True, "min_severity": "urgent"}]}
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "config.toml", data=data)
    message = str(raised.value)
    assert "min_severity" in message
    assert "'critical', 'high', 'medium', 'low' or 'info'" in message


def test_alerts_are_sorted_worst_first_then_oldest() -> None:
    who = AlertSupplier(id="s", name="S", url="https://example.com/")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def alert(aid: str, severity: str, minutes: int) -> Alert:
        return Alert(
            id=aid,
            kind=AlertKind.FINDING,
            supplier=who,
            severity=severity,
            title=aid,
            observed_at=t0 + timedelta(minutes=minutes),
        )

    alerts = [alert("late-high", "high", 5), alert("info", "info", 0), alert("early-high", "high", 1)]
    assert [a.id for a in sort_alerts(alerts)] == ["early-high", "late-high", "info"]
