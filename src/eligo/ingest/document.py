"""One file's bytes, wherever it lives: on disk, inside a gzip file, or a member of an archive."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

#: How much of a file format detection looks at.
HEAD_BYTES = 64 * 1024


@dataclass
class Document:
    """A named byte stream that can be opened more than once (detection reads the head first)."""

    name: str  # as shown to the user: "trials/x.xml", "all.tar.gz!NCT0000xxxx/NCT00000102.xml"
    opener: Callable[[], BinaryIO]
    _head: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Document:
        return cls(name, lambda: io.BytesIO(data))

    def open(self) -> BinaryIO:
        return self.opener()

    @property
    def head(self) -> bytes:
        if self._head is None:
            with self.open() as stream:
                self._head = stream.read(HEAD_BYTES)
        return self._head

    def read(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Numbered lines (from 1), read one at a time so a large file never sits in memory."""
        with self.open() as stream:
            yield from enumerate(stream, start=1)

    def text(self) -> str:
        """The content as UTF-8 text (a byte-order mark is dropped); UnicodeDecodeError if not."""
        return self.read().decode("utf-8-sig")
