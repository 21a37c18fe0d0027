"""The ``Reader`` protocol every format implements, and the :class:`Source` it sniffs and reads.

A reader is one object in its format's module (``READER`` in ``graph/_pdf.py`` …) listed once in
:data:`fenjie.graph.read.REGISTRY`. ``sniff`` says from the content whether the source is its
format; ``read`` turns it into a :class:`~fenjie.graph._table.Table`, checking
:class:`~fenjie.graph._limits.Limits` before the work they bound. ``recognised_by`` and
``provenance`` are the reader's row in the table of docs/readers.md (a test holds them equal).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from fenjie.graph._limits import Limits
from fenjie.graph._table import Table

__all__ = ["BINARY_MAGIC", "OLE_MAGIC", "Reader", "Source", "utf16"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Leading bytes of files that are certainly not tables, and what they are.
BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"{\\rtf": "an RTF document (save it as .docx)",
    b"\x7fELF": "a program",
}


def utf16(name: str) -> bytes:
    """A stream name as an OLE directory stores it."""
    return name.encode("utf-16-le")


@dataclass
class Source:
    """A source's bytes and name, with what the readers sniff computed once, on demand."""

    data: bytes
    name: str

    @property
    def is_zip(self) -> bool:
        return self.data.startswith(b"PK\x03\x04")

    @property
    def is_ole(self) -> bool:
        return self.data.startswith(OLE_MAGIC)

    @cached_property
    def zip_members(self) -> frozenset[str] | None:
        """Member names of a ZIP container; for a damaged one, ``None`` (see :meth:`zip_holds`)."""
        if not self.is_zip:
            return frozenset()
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                return frozenset(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            # NotImplementedError: zipfile's answer to a header claiming an unknown ZIP version
            return None

    def zip_holds(self, member: str) -> bool:
        """Whether the ZIP holds ``member``; a damaged archive is judged by the names its local
        headers still show, so that its reader reports the damage."""
        if not self.is_zip:
            return False
        members = self.zip_members
        return member.encode() in self.data if members is None else member in members

    def ole_holds(self, stream: str) -> bool:
        """Whether an OLE compound file names ``stream`` in its directory."""
        return self.is_ole and utf16(stream) in self.data

    @property
    def encrypted_office(self) -> bool:
        return self.ole_holds("EncryptedPackage") or self.ole_holds("EncryptionInfo")

    @property
    def binary_kind(self) -> str | None:
        """What a source that is certainly not text is (``"a PNG image"``), else None."""
        known = next((v for k, v in BINARY_MAGIC.items() if self.data.startswith(k)), None)
        if known:
            return known
        head = self.data[:8192]
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "a binary file"
        return None

    @cached_property
    def text(self) -> str | None:
        """The decoded text of a text source; None for containers, binaries and bytes that decode
        as no supported encoding (the TSV reader reports where those go wrong)."""
        if self.is_zip or self.is_ole or self.data.startswith(b"%PDF") or self.binary_kind:
            return None
        from fenjie.errors import InputError
        from fenjie.graph._tsv import decode_source

        try:
            return decode_source(self.data, name=self.name)[0]
        except InputError:
            return None

    @cached_property
    def lines(self) -> list[str]:
        return (self.text or "").splitlines()


class Reader(Protocol):
    """One source format: recognised by content, read into a table."""

    #: the reader's name, as ``fj:reader`` and ``table.reader`` give it (``"docx"``)
    name: str
    #: how :meth:`sniff` recognises it, for docs/readers.md (``"a ZIP holding `word/document.xml`"``)
    recognised_by: str
    #: the form of its ``fj:location`` provenance, for docs/readers.md (``"`table 2, row 3`"``)
    provenance: str

    def sniff(self, source: Source) -> bool:
        """Whether ``source`` is this reader's format, judged from its content only."""
        ...

    def read(self, source: Source, limits: Limits) -> Table:
        """The table; :class:`~fenjie.errors.InputError` naming file and place when it cannot."""
        ...
