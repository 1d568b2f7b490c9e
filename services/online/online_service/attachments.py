"""Attachments of an online filing (a copy of the judgment, the representative's authority): checked
by CONTENT, not by name or declared type — the file's leading bytes (its "magic number") must be
those of the type it claims, and that type must be PDF, JPEG or PNG; at most 10 MB each, at most
MAX_COUNT per filing. Each is stored with its SHA-256 (the events carry only the hash, type and size).

Signatures (the formats' own specifications): PDF starts "%PDF-" (ISO 32000-1 §7.5.2); JPEG starts
with the SOI marker FF D8 followed by another marker FF xx (ITU T.81 Annex B); PNG with the 8-byte
signature 89 50 4E 47 0D 0A 1A 0A followed by the IHDR chunk (ISO/IEC 15948 §5.2, §11.2.2).
A file that is none of these, or is another of them than it claims, is refused with a clear error
and nothing is written."""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from .domain import InvalidFilingError

MAX_BYTES = 10 * 1024 * 1024
MAX_COUNT = 5
KINDS = ("judgment_copy", "authority_document", "other")
TYPES = ("application/pdf", "image/jpeg", "image/png")


class AttachmentError(InvalidFilingError):
    rule = "filing.attachment"
    message_vi = "Tệp đính kèm không hợp lệ."


def sniff(data: bytes) -> str | None:
    """The content type the bytes ARE (None: not a PDF, JPEG or PNG)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if len(data) >= 4 and data[:3] == b"\xff\xd8\xff" and data[3] != 0xFF:
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "image/png"
    return None


@dataclass(frozen=True)
class Attachment:
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes

    def meta(self) -> dict[str, object]:
        """What the events and the public view carry (never the bytes, never the file name)."""
        return {"kind": self.kind, "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


def check(items: list[tuple[str, str, str, str]]) -> list[Attachment]:
    """(kind, filename, declared content type, base64 content) → checked attachments, or AttachmentError."""
    if len(items) > MAX_COUNT:
        raise AttachmentError(f"{len(items)} attachments; at most {MAX_COUNT}",
                              message_vi=f"Tối đa {MAX_COUNT} tệp đính kèm cho một đơn.")
    out: list[Attachment] = []
    for n, (kind, filename, declared, b64) in enumerate(items, start=1):
        try:
            data = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise AttachmentError(f"attachment {n} ({filename!r}) is not valid base64",
                                  message_vi=f"Tệp thứ {n} không đọc được (mã hóa base64 không hợp lệ).") from None
        if len(data) > MAX_BYTES:
            raise AttachmentError(f"attachment {n} ({filename!r}) has {len(data)} bytes; at most {MAX_BYTES}",
                                  message_vi=f"Tệp thứ {n} vượt quá 10 MB.")
        actual = sniff(data)
        if actual is None:
            raise AttachmentError(f"attachment {n} ({filename!r}) is not a PDF, JPEG or PNG file by its content",
                                  message_vi=f"Tệp thứ {n} không phải tệp PDF, JPEG hoặc PNG.")
        if actual != declared:
            raise AttachmentError(f"attachment {n} ({filename!r}) claims {declared} but its content is {actual}",
                                  message_vi=f"Tệp thứ {n} không đúng loại đã khai ({declared}); nội dung là {actual}.")
        out.append(Attachment(kind=kind, filename=filename, content_type=actual, size=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), content=data))
    return out
