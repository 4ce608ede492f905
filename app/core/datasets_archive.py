"""A dataset archive (``.zip`` or ``.tar.gz``) read as data: its files' names and bytes, in memory.

Nothing is extracted to disk and nothing in the archive is trusted. Before a member is read its
name, type and size are checked: absolute names, ``..``, drive letters, symbolic and hard links
and device or FIFO members refuse the whole archive (no honest folder of images holds them), and
so do a member count over the cap and a total unpacked size over the cap. A zip member states
its sizes, so an inflated size more than :data:`MAX_RATIO` times its compressed one is refused
before it is read, and reading stops one byte past what it stated. A ``.tar.gz`` states nothing
ahead, so the gzip stream is counted as it inflates and reading stops at the cap; the ratio is
checked against the archive's own size on the way.
"""

from __future__ import annotations

import gzip
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO, Literal, Protocol

from app.errors import ConvLensError, InvalidParameter

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
GZIP_MAGIC = b"\x1f\x8b"
# A folder of PNGs, JPEGs or even BMPs deflates a few times at most; a stream that inflates more
# than this (and to more than RATIO_FLOOR bytes) is built to inflate, not to be read.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
# Files that archivers and file browsers add beside the user's own: never images.
SYSTEM_FOLDERS = frozenset(("__MACOSX",))
SYSTEM_FILES = frozenset(("Thumbs.db", "desktop.ini"))


class ArchiveTooLarge(ConvLensError):
    """An archive over a size, member-count or unpacked-size cap."""

    status_code = 413


class NotAnArchive(ConvLensError):
    """A file that is neither a zip archive nor a gzip-compressed tar archive."""

    status_code = 415


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int
    max_members: int
    max_unpacked_bytes: int


@dataclass(frozen=True)
class Member:
    """A regular file of the archive: its path split into parts, and its bytes."""

    parts: tuple[str, ...]
    data: bytes

    @property
    def name(self) -> str:
        return "/".join(self.parts)


@dataclass
class ArchiveContents:
    format: Literal["zip", "tar.gz"]
    members: list[Member] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    system_files: int = 0  # __MACOSX/, .DS_Store and the like, left out without a word


def read_archive(file: BinaryIO, limits: ArchiveLimits) -> ArchiveContents:
    """Every regular file of a ``.zip`` or ``.tar.gz`` in ``file`` (seekable), within the caps.

    Raises :class:`ArchiveTooLarge` (413) over a cap, :class:`NotAnArchive` (415) for another
    kind of file, and :class:`~app.errors.InvalidParameter` (422) for a hostile or broken one.
    """
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    if size > limits.max_bytes:
        raise ArchiveTooLarge(
            "The archive is {size:,} bytes; at most {max_bytes:,} are accepted (setting "
            "CONVLENS_MAX_DATASET_BYTES). Send fewer or smaller images: 28x28 or 32x32 "
            "pixels are enough for the networks trained here.",
            size=size,
            max_bytes=limits.max_bytes,
        )
    head = file.read(4)
    file.seek(0)
    if size == 0:
        raise NotAnArchive("The file is empty (0 bytes). Upload a .zip or .tar.gz of folders.")
    if head.startswith(ZIP_MAGIC):
        return _read_zip(file, size, limits)
    if head.startswith(GZIP_MAGIC):
        return _read_tar_gz(file, size, limits)
    raise NotAnArchive(
        "The file is neither a .zip nor a .tar.gz archive. Put one folder of images per class "
        "(A/1.png, A/2.png, B/1.png, ...) into a zip file, or run 'tar czf set.tar.gz A B', "
        "and upload that."
    )


def _read_zip(file: BinaryIO, size: int, limits: ArchiveLimits) -> ArchiveContents:
    _check_count(_stated_zip_count(file, size), limits)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidParameter(
            "The .zip file cannot be read ({exc}); it may be cut off. Make it again and "
            "upload the whole file.",
            exc=exc,
        ) from None
    contents = ArchiveContents("zip")
    with archive:
        infos = archive.infolist()
        _check_count(len(infos), limits)
        total = 0
        for info in infos:
            _check_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _link_refusal(info.filename)
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
                raise ArchiveTooLarge(
                    "The archive's member {filename} would inflate to {file_size:,} bytes "
                    "from {compress_size:,}, a compression ratio over {max_ratio}: a zip "
                    "bomb, refused. Images compress far less than that.",
                    filename=_shown(info.filename),
                    file_size=info.file_size,
                    compress_size=info.compress_size,
                    max_ratio=MAX_RATIO,
                )
            total += info.file_size
        _check_unpacked(total, limits)
        for info in infos:
            if info.is_dir():
                continue
            parts = _parts(info.filename)
            if not parts:
                continue
            if _is_system_file(parts):
                contents.system_files += 1
                continue
            if info.flag_bits & 0x1:
                contents.skipped.append((info.filename, "encrypted; save it without a password"))
                continue
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                contents.skipped.append(
                    (info.filename, "compressed with a method other than deflate; zip it again")
                )
                continue
            data = _read_zip_member(archive, info)
            if data is None:
                contents.skipped.append((info.filename, "its compressed data is damaged"))
            else:
                contents.members.append(Member(parts, data))
    return contents


def _stated_zip_count(file: BinaryIO, size: int) -> int:
    """The member count of the zip's end record, read before zipfile loads its whole directory
    (a directory of a million entries would be half a gigabyte of Python objects). 0xFFFF
    means "see the zip64 record": 65,535 or more. The directory's own count is checked after."""
    file.seek(max(0, size - 65_557))
    tail = file.read()
    file.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise InvalidParameter(
            "The .zip file has no end record: it is cut off or damaged. Make it again and upload "
            "the whole file."
        )
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    return int(entries)


def _read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes, never more than it stated (the caps were judged on that)."""
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error):
        return None
    return data if len(data) == info.file_size else None


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _CappedStream:
    """A read-only stream that raises :class:`ArchiveTooLarge` past ``cap`` bytes, or once it
    has given more than ``MAX_RATIO`` times ``compressed_size`` (beyond ``RATIO_FLOOR``)."""

    def __init__(self, source: _Readable, cap: int, compressed_size: int) -> None:
        self.source = source
        self.cap = cap
        self.ratio_cap = max(RATIO_FLOOR, MAX_RATIO * compressed_size)
        self.given = 0

    def read(self, size: int = -1) -> bytes:
        room = min(self.cap, self.ratio_cap) - self.given + 1
        data = self.source.read(room if size < 0 else min(size, room))
        self.given += len(data)
        if self.given > self.cap:
            raise ArchiveTooLarge(
                "The .tar.gz inflates to more than {cap:,} bytes, the most read from one "
                "archive (setting CONVLENS_MAX_DATASET_UNPACKED_BYTES): a tar bomb, or more "
                "images than one dataset takes. Send fewer or smaller images.",
                cap=self.cap,
            )
        if self.given > self.ratio_cap:
            raise ArchiveTooLarge(
                "The .tar.gz inflates to more than {ratio_cap:,} bytes from {compressed:,}, a "
                "compression ratio over {max_ratio}: a tar bomb, refused. Images compress "
                "far less than that.",
                ratio_cap=self.ratio_cap,
                compressed=self.ratio_cap // MAX_RATIO,
                max_ratio=MAX_RATIO,
            )
        return data


def _read_tar_gz(file: BinaryIO, size: int, limits: ArchiveLimits) -> ArchiveContents:
    inflated = _CappedStream(
        gzip.GzipFile(fileobj=file, mode="rb"), limits.max_unpacked_bytes, size
    )
    contents = ArchiveContents("tar.gz")
    count = 0
    try:
        # "r|": a stream, read once from start to end; members are read in the order they come.
        with tarfile.open(fileobj=inflated, mode="r|") as archive:  # type: ignore[call-overload]
            for info in _tar_members(archive):
                count += 1
                _check_count(count, limits)
                _check_tar_member(info)
                if not info.isfile():
                    continue  # a folder
                parts = _parts(info.name)
                if not parts:
                    continue
                if _is_system_file(parts):
                    contents.system_files += 1
                    continue
                extracted = archive.extractfile(info)
                data = extracted.read(info.size + 1) if extracted is not None else b""
                if len(data) != info.size:
                    raise _broken_tar(
                        ConvLensError("its member {name} is cut off", name=_shown(info.name))
                    )
                contents.members.append(Member(parts, data))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _broken_tar(str(exc) or type(exc).__name__) from None
    return contents


def _tar_members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while (info := archive.next()) is not None:
        yield info


def _check_tar_member(info: tarfile.TarInfo) -> None:
    _check_name(info.name)
    if info.issym():
        raise _link_refusal(info.name)
    if info.islnk():
        raise _link_refusal(info.name, hard=True)
    if info.isdev():
        raise InvalidParameter(
            "The archive's member {name} is a device or FIFO, not a file: the archive is "
            "refused. Archive only the folders of images.",
            name=_shown(info.name),
        )
    if not (info.isfile() or info.isdir()):
        raise InvalidParameter(
            "The archive's member {name} is neither a file nor a folder (tar type {type}): "
            "the archive is refused. Archive only the folders of images.",
            name=_shown(info.name),
            type=repr(info.type),
        )


def _broken_tar(reason: str | ConvLensError) -> InvalidParameter:
    return InvalidParameter(
        "The .tar.gz cannot be read ({reason}); it may be cut off or not a tar archive "
        "inside. Make it again with 'tar czf set.tar.gz A B ...' and upload the whole file.",
        reason=reason if isinstance(reason, ConvLensError) else reason[:120],
    )


def _check_count(count: int, limits: ArchiveLimits) -> None:
    if count > limits.max_members:
        raise ArchiveTooLarge(
            "The archive has more than {max_members:,} members, the most read from one "
            "archive (setting CONVLENS_MAX_DATASET_MEMBERS). Send fewer images per class.",
            max_members=limits.max_members,
        )


def _check_unpacked(total: int, limits: ArchiveLimits) -> None:
    if total > limits.max_unpacked_bytes:
        raise ArchiveTooLarge(
            "The archive unpacks to {total:,} bytes; at most {max_unpacked_bytes:,} are read "
            "from one archive (setting CONVLENS_MAX_DATASET_UNPACKED_BYTES). Send fewer or "
            "smaller images.",
            total=total,
            max_unpacked_bytes=limits.max_unpacked_bytes,
        )


def _check_name(name: str) -> None:
    """Refuse names that point outside the archive's own folder, however they are spelt."""
    unified = name.replace("\\", "/")
    parts = unified.split("/")
    if (
        unified.startswith("/")
        or "\x00" in name
        or ".." in parts
        or (len(unified) > 1 and unified[1] == ":")
    ):
        raise InvalidParameter(
            "The archive has a member named {name}, a path outside the archive's own folder "
            "(absolute, a drive, or with '..'): the archive is refused. Nothing is ever "
            "unpacked to disk, but no honest folder of images has such names; archive the "
            "class folders from their parent folder.",
            name=_shown(name),
        )


def _link_refusal(name: str, hard: bool = False) -> InvalidParameter:
    if hard:
        return InvalidParameter(
            "The archive's member {name} is a hard link: the archive is refused. Archive the "
            "images themselves (zip without --symlinks, tar without links).",
            name=_shown(name),
        )
    return InvalidParameter(
        "The archive's member {name} is a symbolic link: the archive is refused. Archive the "
        "images themselves (zip without --symlinks, tar without links).",
        name=_shown(name),
    )


def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", "."))


def _is_system_file(parts: tuple[str, ...]) -> bool:
    return (
        any(part in SYSTEM_FOLDERS for part in parts[:-1])
        or parts[-1].startswith(".")
        or parts[-1] in SYSTEM_FILES
    )


def _shown(name: str) -> str:
    return repr(name[:80] + ("..." if len(name) > 80 else ""))
