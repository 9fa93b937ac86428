"""Edit the [[suppliers]] list of config.toml in place, keeping the operator's comments and layout.

Every edit is validated as a whole config before the file is replaced, so a bad add never leaves a
broken file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import tomlkit
from tomlkit.items import AoT

from monitor.config import Config, ConfigError, load_config

TEMPLATE_PATH = Path(__file__).with_name("config_template.toml")


def write_template(path: Path, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    _replace(path, TEMPLATE_PATH.read_text(encoding="utf-8"))


def add_supplier(path: Path, entry: dict[str, object]) -> Config:
    document = _read(path)
    suppliers = document.get("suppliers")
    if suppliers is None:
        suppliers = tomlkit.aot()
        document["suppliers"] = suppliers
    if not isinstance(suppliers, AoT):
        raise ConfigError(f"{path}: suppliers must be an array of tables ([[suppliers]])")
    if any(s.get("id") == entry.get("id") for s in suppliers):
        raise ConfigError(f"{path}: a supplier with id {entry.get('id')!r} is already watched")
    table = tomlkit.table()
    for key, value in entry.items():
        if value not in (None, [], ""):
            table[key] = value
    suppliers.append(table)
    return _validate_and_write(path, document)


def remove_supplier(path: Path, supplier_id: str) -> Config:
    document = _read(path)
    suppliers = document.get("suppliers") or []
    kept = [s for s in suppliers if s.get("id") != supplier_id]
    if len(kept) == len(suppliers):
        raise ConfigError(f"{path}: no supplier with id {supplier_id!r}")
    replacement = tomlkit.aot()
    for table in kept:
        replacement.append(table)
    document["suppliers"] = replacement
    return _validate_and_write(path, document)


def _read(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; create one with `supplier-monitor init`") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _validate_and_write(path: Path, document: tomlkit.TOMLDocument) -> Config:
    config = load_config(path, data=document.unwrap())
    _replace(path, tomlkit.dumps(document))
    return config


def _replace(path: Path, text: str) -> None:
    """Write atomically: readers (the daemon) see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: Keys update_supplier may change; the id is the supplier's identity in the database and never changes.
EDITABLE_KEYS = frozenset({"name", "url", "urls", "platform", "tags", "interval", "cron", "method", "paused"})


def update_supplier(path: Path, supplier_id: str, changes: dict[str, object]) -> Config:
    """Change some keys of one [[suppliers]] entry in place (None removes a key), keeping comments.

    Used by the dashboard's watch list (interval, tags, pause); validated as a whole before writing.
    """
    unknown = set(changes) - EDITABLE_KEYS
    if unknown:
        raise ConfigError(f"cannot change {sorted(unknown)} of a supplier here")
    document = _read(path)
    suppliers = document.get("suppliers") or []
    table = next((s for s in suppliers if s.get("id") == supplier_id), None)
    if table is None:
        raise ConfigError(f"{path}: no supplier with id {supplier_id!r}")
    for key, value in changes.items():
        if value in (None, [], "", False):
            if key in table:
                del table[key]
        else:
            table[key] = value
    return _validate_and_write(path, document)
