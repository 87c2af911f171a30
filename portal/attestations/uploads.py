"""What an uploaded file really is, from its first bytes, never from its name."""

from __future__ import annotations

import io
import zipfile

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 5
MAX_UNPACKED_XLSX_BYTES = 100 * 1024 * 1024
ALLOWED_DESCRIPTION = "a PDF, CSV, XLSX, PNG or JPEG"
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
              "text/csv": "csv",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}


ACCEPTED = "Upload PDF, CSV, XLSX, PNG or JPEG files"
# What a file's name promises, by extension; .txt is plain text like a CSV.
CLAIMED = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
           "jpeg": "image/jpeg", "csv": "text/csv", "txt": "text/csv",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NAMES = {"application/pdf": "a PDF", "image/png": "a PNG image", "image/jpeg": "a JPEG image",
         "text/csv": "a CSV file",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an XLSX workbook"}
CONTENTS = {**NAMES, "text/csv": "plain text"}


def display_name(name: str | None) -> str:
    """The name as the user chose it, without the folders some browsers send."""
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1]


def extension(name: str | None) -> str | None:
    base = display_name(name)
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else None


def name_mismatch(name: str | None, media_type: str | None) -> str | None:
    """The message to show when the file's name promises another accepted type than its
    content (a text file called fake.pdf), or a type we never accept (.exe); None when they
    agree or the name has no extension."""
    claimed_ext = extension(name)
    if claimed_ext is None:
        return None
    base = display_name(name)
    claimed = CLAIMED.get(claimed_ext)
    if claimed is None:
        return f"{base} is not a file type we accept. {ACCEPTED}"
    if media_type == claimed or media_type is None:
        return None  # agreed, or content of no accepted type (the general message says so)
    return f"{base} is not {NAMES[claimed]}: its content is {CONTENTS[media_type]}. {ACCEPTED}"


def sniff_media_type(data: bytes) -> str | None:
    """The media type of an allowed file, or None for anything else (an .exe named .pdf)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04") and _is_xlsx(data):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if _is_text(data):
        return "text/csv"
    return None


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return False
    # A zip bomb passes for a workbook by its names; whoever opens it later would unpack GBs.
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_XLSX_BYTES:
        return False
    names = [entry.filename for entry in entries]
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _is_text(data: bytes) -> bool:
    """UTF-8 text without NUL or other binary control bytes (tab, CR, LF are fine)."""
    if not data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    if text.lstrip().startswith("<"):
        return False  # markup (SVG, HTML, XML) is no CSV, whatever the file is called
    return not any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:65536])


def safe_filename(name: str | None, media_type: str) -> str:
    """A display name without paths or odd characters, ending in the real type's extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isalnum() or ch in " ._-()").strip(" .")
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    return f"{(stem or 'evidence')[:200]}.{EXTENSIONS[media_type]}"
