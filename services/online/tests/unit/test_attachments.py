"""Attachments are checked by content: a PDF, JPEG or PNG whose bytes are what it claims, ≤ 10 MB, ≤ 5."""
from __future__ import annotations

import base64
import hashlib

import pytest

from online_service import attachments as a

PDF = b"%PDF-1.4\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 13
EXE = b"MZ\x90\x00\x03\x00"


def item(data: bytes, declared: str, name: str = "f") -> tuple[str, str, str, str]:
    return ("judgment_copy", name, declared, base64.b64encode(data).decode())


@pytest.mark.parametrize("data, kind", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png"),
                                        (EXE, None), (b"", None), (b"\xff\xd8\xff\xff", None),
                                        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, None), (b"%PDF", None)])
def test_sniff_knows_the_three_types_by_their_bytes(data, kind):
    assert a.sniff(data) == kind


def test_checked_attachment_carries_its_hash_and_real_type():
    [ok] = a.check([item(PDF, "application/pdf", "ban-an.png")])     # the name says nothing
    assert ok.sha256 == hashlib.sha256(PDF).hexdigest() and ok.content_type == "application/pdf"
    assert "filename" not in ok.meta() and "content" not in ok.meta()


@pytest.mark.parametrize("items, words", [
    ([item(EXE, "application/pdf", "ban-an.pdf")], "not a PDF, JPEG or PNG"),
    ([item(PNG, "application/pdf")], "claims application/pdf but its content is image/png"),
    ([item(PDF + b"0" * a.MAX_BYTES, "application/pdf")], "at most"),
    ([item(PDF, "application/pdf")] * (a.MAX_COUNT + 1), "at most 5"),
    ([("judgment_copy", "x", "application/pdf", "!!not base64!!")], "not valid base64"),
])
def test_bad_attachments_are_refused_naming_the_problem(items, words):
    with pytest.raises(a.AttachmentError) as err:
        a.check(items)
    assert words in str(err.value) and err.value.message_vi
