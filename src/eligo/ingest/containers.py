"""The files a path holds: the file itself, a folder's files, or an archive's members.

A ``.tar.gz`` is read as a stream, member by member, and never unpacked to disk: memory stays at
one member whatever the size of the archive. Archives are recognised by their first bytes, not their
names.
"""

from __future__ import annotations

import gzip
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from eligo.errors import RecordError
from eligo.ingest.document import Document

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"

#: A member larger than this is reported, not read: archives are untrusted input.
MAX_MEMBER_BYTES = 256 * 1024 * 1024

_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError)


def documents(path: Path) -> Iterator[Document | RecordError]:
    """Every document under ``path``; a damaged archive yields a RecordError and ends there."""
    if path.is_dir():
        for child in _folder_files(path):
            yield from _file_documents(child)
    else:
        yield from _file_documents(path)


def count_hint(path: str | Path) -> int | None:
    """Number of files (folder) or members (zip) to read, when that is cheap to know; else None.

    A ``.tar.gz`` would have to be decompressed to be counted, so it gives None.
    """
    path = Path(path)
    if path.is_dir():
        return sum(1 for _ in _folder_files(path))
    if not path.is_file():
        return None
    magic = _magic(path)
    if magic.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(1 for info in archive.infolist() if not info.is_dir())
        except _ARCHIVE_ERRORS:
            return None
    if magic.startswith(_GZIP_MAGIC):
        return None
    return 1


def _folder_files(folder: Path) -> Iterator[Path]:
    # Hidden files (.DS_Store, editor swap files) are not records anyone meant to ingest.
    for child in sorted(folder.rglob("*")):
        relative = child.relative_to(folder).parts
        if child.is_file() and not any(part.startswith(".") for part in relative):
            yield child


def _magic(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(4)


def _file_documents(path: Path) -> Iterator[Document | RecordError]:
    try:
        magic = _magic(path)
    except OSError as error:
        yield RecordError(f"cannot read file: {error.strerror or error}", source=str(path))
        return
    if magic.startswith(_GZIP_MAGIC):
        yield from _gzip_documents(path)
    elif magic.startswith(_ZIP_MAGIC):
        yield from _zip_documents(path)
    else:
        yield Document(str(path), lambda: path.open("rb"))


def _gzip_documents(path: Path) -> Iterator[Document | RecordError]:
    """A gzipped tar read as a stream; a gzipped single file (``x.ndjson.gz``) as one document."""
    if not _is_tar_stream(path):
        yield Document(str(path), lambda: _gunzip(path))
        return
    read = 0
    try:
        with tarfile.open(path, mode="r|gz") as archive:
            while (member := archive.next()) is not None:
                # Stream mode remembers every header it passed; forget them to keep memory flat.
                archive.members.clear()  # type: ignore[attr-defined]
                if not member.isfile():
                    continue
                name = f"{path}!{member.name}"
                if member.size > MAX_MEMBER_BYTES:
                    yield RecordError(f"member of {member.size} bytes is too large to read",
                                      source=name)
                    continue
                stream = archive.extractfile(member)
                data = stream.read() if stream is not None else b""
                read += 1
                yield Document.from_bytes(name, data)
    except _ARCHIVE_ERRORS as error:
        yield RecordError(f"archive is damaged after {read} members: {error}", source=str(path))


def _gunzip(path: Path) -> BinaryIO:
    return cast(BinaryIO, gzip.GzipFile(path, "rb"))  # closed by the Document that opened it


def _is_tar_stream(path: Path) -> bool:
    try:
        with gzip.open(path, "rb") as stream:
            block = stream.read(tarfile.BLOCKSIZE)
    except _ARCHIVE_ERRORS:
        return True  # let the tar reader report the damage with its own words
    if len(block) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(block, tarfile.ENCODING, "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _zip_documents(path: Path) -> Iterator[Document | RecordError]:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                name = f"{path}!{info.filename}"
                if info.file_size > MAX_MEMBER_BYTES:
                    yield RecordError(f"member of {info.file_size} bytes is too large to read",
                                      source=name)
                    continue
                try:
                    data = archive.read(info)
                except _ARCHIVE_ERRORS as error:
                    yield RecordError(f"cannot read member: {error}", source=name)
                    continue
                yield Document.from_bytes(name, data)
    except _ARCHIVE_ERRORS as error:
        yield RecordError(f"archive cannot be read: {error}", source=str(path))
