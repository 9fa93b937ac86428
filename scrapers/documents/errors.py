"""The one error the certificate reader raises: the bytes are no readable PDF or picture."""

from __future__ import annotations

__all__ = ["DocumentError"]


class DocumentError(ValueError):
    """A file that is not a readable PDF or picture (corrupt, truncated, encrypted, too large, not a document).

    The message is meant for people: it says why the file could not be read.
    """
