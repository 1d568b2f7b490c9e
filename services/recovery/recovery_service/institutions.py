"""The registry of credit institutions (tổ chức tín dụng) the platform knows, by code.

A case's creditor party carrying one of these codes (intake's PartyAdded.bank_code) opens a bad-debt
file for that bank; an unknown code opens nothing and is logged (a bank must be registered here, and
given its Kafka user with `thads bank-credentials --bank CODE`, before it can be served). The codes are
the short names the banks go by (as intake's records write them); the names are what people read.
"""
from __future__ import annotations

INSTITUTIONS: dict[str, str] = {
    "VCB": "Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank)",
    "BIDV": "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam",
    "VIETINBANK": "Ngân hàng TMCP Công thương Việt Nam (VietinBank)",
    "AGRIBANK": "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",
    "TCB": "Ngân hàng TMCP Kỹ thương Việt Nam (Techcombank)",
    "MB": "Ngân hàng TMCP Quân đội (MB)",
    "ACB": "Ngân hàng TMCP Á Châu",
    "VPBANK": "Ngân hàng TMCP Việt Nam Thịnh Vượng (VPBank)",
    "SHB": "Ngân hàng TMCP Sài Gòn - Hà Nội",
    "SACOMBANK": "Ngân hàng TMCP Sài Gòn Thương Tín (Sacombank)",
    "VAMC": "Công ty TNHH MTV Quản lý tài sản của các tổ chức tín dụng Việt Nam",
}


def name_of(code: str) -> str | None:
    return INSTITUTIONS.get(code)
