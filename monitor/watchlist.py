"""Edit the [[suppliers]] list of config.toml in place, keeping the operator's comments and layout.

Every edit is validated as a whole config before the file is replaced, so a bad add never leaves a
broken file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from monitor.config import Config, ConfigError, RecipientConfig, SupplierConfig, load_config, read_config_text

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
        return tomlkit.parse(read_config_text(path))
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


def update_supplier(
    path: Path, supplier_id: str, changes: dict[str, object], *, recipients: Collection[str] | None = None
) -> Config:
    """Change some keys of one [[suppliers]] entry in place (None removes a key), keeping comments.

    ``recipients``, when given, is everyone who should get this supplier's alerts: the supplier's id is added
    to or removed from each recipient's ``suppliers`` list (see set_recipients_of). Used by the dashboard's
    watch list (interval, tags, recipients, pause); one write, validated as a whole before it happens.
    """
    unknown = set(changes) - EDITABLE_KEYS
    if unknown:
        raise ConfigError(f"cannot change {sorted(unknown)} of a supplier here")
    document = _read(path)
    suppliers = document.get("suppliers") or []
    table = next((s for s in suppliers if s.get("id") == supplier_id), None)
    if table is None:
        raise ConfigError(f"{path}: no supplier with id {supplier_id!r}")
    if recipients is not None:
        # Judged against the file as it is (what the page showed), before this edit changes the tags.
        _set_recipients(document, load_config(path, data=document.unwrap()), supplier_id, recipients)
    for key, value in changes.items():
        if value in (None, [], "", False):
            if key in table:
                del table[key]
        else:
            _set_key(table, key, value)
    return _validate_and_write(path, document)


def _set_key(table: Table, key: str, value: object) -> None:
    """Set a key; a new one goes after the table's last key, not after the comments that end the table.

    tomlkit counts the comment lines above the next table as the end of this one, so a plain
    ``table[key] = value`` would land below e.g. "# Second supplier", splitting it from what it describes.
    """
    if key in table or not isinstance(table, Table):
        table[key] = value
        return
    body = table.value.body
    last = max((i for i, (k, _) in enumerate(body) if k is not None), default=None)
    if last is None:
        table[key] = value
        return
    try:  # tomlkit has no public "insert here"; _insert_at is in every version we allow (0.15.3 dropped _insert_after)
        table.value._insert_at(last + 1, key, tomlkit.item(value))
    except AttributeError:  # a tomlkit without the helper: correct TOML, the key merely lands lower
        table[key] = value


@dataclass(frozen=True)
class RecipientLink:
    """Whether one [[recipients]] entry gets one supplier's alerts, and whether the watch list may change that.

    ``locked`` says why it cannot be unticked for this supplier alone ("all suppliers", "tag kitchen", ...);
    None means the supplier's id in the recipient's ``suppliers`` list decides, so ticking edits that list.
    """

    name: str
    follows: bool
    locked: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "follows": self.follows, "editable": self.locked is None, "locked": self.locked}


def recipient_link(recipient: RecipientConfig, supplier: SupplierConfig) -> RecipientLink:
    """How ``recipient`` relates to ``supplier``; ``follows`` is RecipientConfig.wants, the alerting rule itself."""
    follows = recipient.wants(supplier.id, list(supplier.tags))
    shared = sorted(set(recipient.tags) & set(supplier.tags))
    locked: str | None = None
    if "*" in recipient.suppliers or (not recipient.suppliers and not recipient.tags):
        locked = "all suppliers"  # "*", or neither suppliers nor tags: every supplier
    elif shared:
        locked = ("tag " if len(shared) == 1 else "tags ") + ", ".join(shared)
    elif set(recipient.suppliers) == {supplier.id} and not recipient.tags:
        locked = "its only supplier; an empty list means all"
    return RecipientLink(recipient.name, follows, locked if follows else None)


def recipient_links(config: Config, supplier: SupplierConfig) -> list[RecipientLink]:
    """One RecipientLink per [[recipients]] entry, in file order (the watch list's checkboxes)."""
    return [recipient_link(r, supplier) for r in config.recipients]


def _set_recipients(document: tomlkit.TOMLDocument, config: Config, supplier_id: str, wanted: Collection[str]) -> None:
    """Add or remove ``supplier_id`` in each recipient's ``suppliers`` so that exactly ``wanted`` follow it.

    A recipient that follows through "*", a shared tag or an empty list cannot be unticked for one supplier:
    asking for that is refused, not silently ignored; one that follows anyway needs no id added.
    """
    known = [r.name for r in config.recipients]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ConfigError(
            f"no recipient named {', '.join(map(repr, unknown))} (known: {', '.join(map(repr, known)) or 'none'})"
        )
    tables = list(document.get("recipients") or [])
    if len(tables) != len(config.recipients):  # cannot happen for a file load_config accepted
        raise ConfigError("recipients must be an array of tables ([[recipients]])")
    supplier = config.supplier(supplier_id)
    for recipient, table in zip(config.recipients, tables, strict=True):
        link = recipient_link(recipient, supplier)
        want = recipient.name in wanted
        if link.locked is not None:
            if not want:
                raise ConfigError(
                    f"recipient {recipient.name!r} cannot be unticked for {supplier_id} alone ({link.locked}); "
                    "change the recipient in the config file"
                )
            continue
        if want and supplier_id not in recipient.suppliers:
            if "suppliers" in table:
                table["suppliers"].append(supplier_id)
            else:
                _set_key(table, "suppliers", [supplier_id])
        elif not want and supplier_id in recipient.suppliers:
            listed = table["suppliers"]
            for index in reversed([i for i, value in enumerate(listed) if value == supplier_id]):
                del listed[index]
