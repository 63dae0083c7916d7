"""Unpacking an uploaded archive safely: no path traversal, no links, caps on count and size, no zip bombs."""

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.text import get_valid_filename

from .site import SKIP_FOLDERS

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# The compression ratio is checked for entries, and for whole archives, that unpack to more than this:
# small text files may compress very well, but they cannot fill a disk.
RATIO_FLOOR_ENTRY = 1024 * 1024
RATIO_FLOOR_ARCHIVE = 16 * 1024 * 1024


class ArchiveError(ValueError):
    pass


def extract_zip(fileobj, destination):
    """Extract a .zip into ``destination``; returns warnings about entries left out. Raises ArchiveError.

    Every entry is checked, and the entries to unpack are measured together (their total size and their
    compression ratio, by the ``JEKYLL_MAX_ZIP_*`` settings), before anything is written.
    """
    destination = Path(destination).resolve()
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError("the file is not a readable .zip archive") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > (most := settings.JEKYLL_MAX_ZIP_ENTRIES):
            raise ArchiveError(f"the archive holds {len(entries)} files; the limit is {most}")
        wanted, warnings = _entries_to_unpack(entries, destination)
        _check_bomb(wanted)
        for entry, target in wanted:
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_capped(archive, entry, target)
    return warnings


def _entries_to_unpack(entries, destination):
    """(entry, target path) for each entry to unpack, and a warning for each one left out."""
    wanted, warnings = [], []
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if entry.is_dir() or not parts or set(parts) & SKIP_FOLDERS:
            continue
        if entry.flag_bits & 0x1:
            raise ArchiveError("the archive is encrypted")
        if name.startswith("/") or ".." in parts or ":" in parts[0]:
            warnings.append(f"{entry.filename}: a path outside the archive; left out")
            continue
        if stat.S_ISLNK(entry.external_attr >> 16):
            warnings.append(f"{entry.filename}: a symbolic link; left out")
            continue
        if entry.file_size > (most := settings.JEKYLL_MAX_ZIP_ENTRY_BYTES):
            warnings.append(f"{entry.filename}: larger than {most // 1_048_576} MB; left out")
            continue
        ratio = settings.JEKYLL_MAX_ZIP_ENTRY_RATIO
        if entry.file_size > RATIO_FLOOR_ENTRY and entry.file_size > ratio * max(entry.compress_size, 1):
            raise ArchiveError(f"{entry.filename} is compressed suspiciously well (a zip bomb?); refused")
        target = destination.joinpath(*[get_valid_filename(part) or "_" for part in parts]).resolve()
        if not target.is_relative_to(destination):
            warnings.append(f"{entry.filename}: a path outside the archive; left out")
            continue
        wanted.append((entry, target))
    return wanted, warnings


def _check_bomb(wanted):
    """Refuse an archive whose entries together unpack to too much, or from too little (many small bombs)."""
    unpacked = sum(entry.file_size for entry, _ in wanted)
    packed = sum(entry.compress_size for entry, _ in wanted)
    if unpacked > (most := settings.JEKYLL_MAX_ZIP_BYTES):
        raise ArchiveError(
            f"the archive would unpack to more than the size limit ({unpacked // 1_048_576} MB; "
            f"the limit is {most // 1_048_576} MB)"
        )
    ratio = settings.JEKYLL_MAX_ZIP_RATIO
    if unpacked > RATIO_FLOOR_ARCHIVE and unpacked > ratio * max(packed, 1):
        raise ArchiveError(
            f"the archive is compressed suspiciously well (a zip bomb?): {packed // 1024} KB would unpack to "
            f"{unpacked // 1_048_576} MB; refused"
        )


def _copy_capped(archive, entry, target):
    """Copy one entry, never writing more than it declared (a lying header is a bomb too)."""
    written = 0
    with archive.open(entry) as source, open(target, "wb") as out:
        while chunk := source.read(64 * 1024):
            written += len(chunk)
            if written > entry.file_size:
                raise ArchiveError(f"{entry.filename} unpacks to more than it declares; refused")
            out.write(chunk)


def save_upload(upload, destination):
    """Save an uploaded post file under a safe name in ``destination``."""
    name = get_valid_filename(Path(upload.name).name) or "post.md"
    target = Path(destination) / name
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def site_folder(folder):
    """The shallowest folder holding a _config.yml inside ``folder``, else ``folder`` itself."""
    configs = sorted(Path(folder).rglob("_config.yml"), key=lambda path: len(path.parts))
    return configs[0].parent if configs else Path(folder)


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)
