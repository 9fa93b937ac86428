"""Reading JavaScript objects that pages assign in inline scripts (``window.X = {...}``, ``var X = {...}``,
``X = JSON.parse("...")``), for every platform parser.

Marketplaces ship their claims as such objects (Alibaba's shopBizData/detailData, 1688's __INIT_DATA); a
scan of balanced braces that skips strings finds the end of one in linear time, without running the script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_ASSIGNMENTS_TRIED", "MAX_OBJECT_CHARS", "extract_js_object"]

MAX_ASSIGNMENTS_TRIED = 4
MAX_OBJECT_CHARS = 20_000_000

# A JS string (double or single quoted, unrolled loop: linear time) or a brace.
_JS_STRING = r'"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"|\'[^\'\\\n]*(?:\\[\s\S][^\'\\\n]*)*\''
_JS_TOKEN = re.compile(_JS_STRING + r"|[{}]")
_JS_STRING_AT = re.compile(_JS_STRING)
_JS_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|([\s\S]))")
_JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": ""}


def extract_js_object(html: str, name: str, accept: Callable[[Any], bool] | None = None) -> Any:
    """The JSON value assigned to ``window.<name>`` (or ``<name> =``) in a script, or ``None``.

    Finds the opening brace with a regex, scans balanced braces while skipping strings, then ``json.loads``;
    a trailing ``;`` or other code after the object does not matter. ``= JSON.parse("...")`` (the object
    shipped as a JS string literal) is read too. ``accept`` skips values that are not the data (a
    ``window.<name> = {}`` placeholder before the real assignment).
    """
    pattern = re.compile(
        r"(?:window\s*\.\s*|window\s*\[\s*[\"']|\b(?:var|let|const)\s+|[;\s{(,])"
        + re.escape(name)
        + r"(?:[\"']\s*\])?\s*=\s*(?:(?=\{)|(?P<parse>JSON\s*\.\s*parse\s*\(\s*)(?=[\"']))"
    )
    # A real page assigns the object once or twice; capping the candidates keeps a hostile page that
    # repeats the assignment thousands of times from costing one full scan per repetition.
    for attempt, match in enumerate(pattern.finditer(html)):
        if attempt >= MAX_ASSIGNMENTS_TRIED:
            break
        decode = _decode_string_at if match.group("parse") else _decode_object_at
        value = decode(html, match.end())
        if value is not None and (accept is None or accept(value)):
            return value
    return None


def _js_string_value(literal: str) -> str:
    """The value of a JS string literal (quotes included): \\xHH, \\uHHHH, \\u{...}, \\' and friends."""

    def unescape(m: re.Match[str]) -> str:
        if m.group(1) or m.group(3):
            return chr(int(m.group(1) or m.group(3), 16))
        if m.group(2):
            code = int(m.group(2), 16)
            return chr(code) if code <= 0x10FFFF else ""
        return _JS_SIMPLE_ESCAPES.get(m.group(4), m.group(4))

    text = _JS_ESCAPE.sub(unescape, literal[1:-1])
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # join escaped surrogate pairs


def _decode_string_at(text: str, start: int) -> Any:
    literal = _JS_STRING_AT.match(text, start, min(len(text), start + MAX_OBJECT_CHARS))
    if literal is None:
        return None
    try:
        return json.loads(_js_string_value(literal.group(0)))
    except (ValueError, RecursionError):
        return None


def _decode_object_at(text: str, start: int) -> Any:
    end = _balanced_end(text, start)
    if end is None:
        return None
    try:
        return json.loads(text[start:end])
    except (ValueError, RecursionError):
        try:  # the object may still be valid JSON up to an earlier point
            return json.JSONDecoder().raw_decode(text, start)[0]
        except (ValueError, RecursionError):
            return None


def _balanced_end(text: str, start: int) -> int | None:
    depth = 0
    limit = min(len(text), start + MAX_OBJECT_CHARS)
    for token in _JS_TOKEN.finditer(text, start, limit):
        char = token.group(0)
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return token.end()
    return None
