"""Dates as certificates print them: every certification body has its own habit."""

from __future__ import annotations

from datetime import date

__all__ = ["DATE_STYLES", "format_date"]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_ABBR = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.")

#: style -> example for 2024-03-15
DATE_STYLES: dict[str, str] = {
    "iso": "2024-03-15",
    "long": "15 March 2024",
    "dmy_slash": "15/03/2024",
    "zh": "2024年3月15日",
    "us_abbr": "Mar. 15, 2024",
    "dmy_dot": "15.03.2024",
}


def format_date(value: date, style: str) -> str:
    """``value`` printed in ``style`` (one of ``DATE_STYLES``)."""
    if style == "iso":
        return value.isoformat()
    if style == "long":
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    if style == "dmy_slash":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if style == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    if style == "us_abbr":
        return f"{_MONTH_ABBR[value.month - 1]} {value.day}, {value.year}"
    if style == "dmy_dot":
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    raise ValueError(f"unknown date style {style!r}")
