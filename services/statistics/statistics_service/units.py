"""Reporting units: the platform's office codes mapped to the official administrative codes the
statistical forms use (the list of administrative units, QĐ 124/2004/QĐ-TTg: a province has two
digits, a district three; Thanh Hóa is 38).

* A Chi cục (district office) reports under its district's code: TH-BIMSON → 381.
* The Cục THADS tỉnh (the provincial agency, office code "TH") enforces cases of its own; they are
  reported under "38-CUC" (the agency's own office: not an official code, named so here because the
  official list has no code for it).
* "38" is the province rolled up: the Cục's own cases and every Chi cục of the province.
* Several provinces: "38,40" (a comma-separated list of province codes) rolls them up together.

An event of an office missing from OFFICES cannot be placed in any unit: the projection dead-letters
it with that reason (never skips it). The district codes are from the administrative code list as
generally known [GK]; Thanh Hóa's district offices at the time of the seed year (2017–2018).

* From 1/7/2025 the district level is abolished (QĐ 1898/QĐ-BTP): a province's cases are enforced by
  regional offices, Phòng THADS khu vực (platform codes TH-KV01…). The official list of administrative
  units has no codes for them, so they report under "38-KV01"… (named so here, like "38-CUC"), and
  roll up into their province like the Chi cục before them. A period's report reads whichever offices
  had events in it: a 2018 report has no regional office's cases, a 2026 one no Chi cục's. This table
  covers the regional offices the demos use; a real deployment loads the Ministry's table of the 355
  regional offices.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    code: str                     # official code ("38", "381") or "38-CUC"
    name: str                     # Vietnamese name as on the form
    province: str                 # the province code it rolls up into
    offices: tuple[str, ...]      # the platform's office codes it covers


# platform office code → (official code, Vietnamese name)
OFFICES: dict[str, tuple[str, str]] = {
    "TH": ("38-CUC", "Cục Thi hành án dân sự tỉnh Thanh Hóa (văn phòng Cục)"),
    "TH-TPTH": ("380", "Chi cục Thi hành án dân sự thành phố Thanh Hóa"),
    "TH-BIMSON": ("381", "Chi cục Thi hành án dân sự thị xã Bỉm Sơn"),
    "TH-SAMSON": ("382", "Chi cục Thi hành án dân sự thành phố Sầm Sơn"),
    "TH-MUONGLAT": ("384", "Chi cục Thi hành án dân sự huyện Mường Lát"),
    "TH-QUANHOA": ("385", "Chi cục Thi hành án dân sự huyện Quan Hóa"),
    "TH-BATHUOC": ("386", "Chi cục Thi hành án dân sự huyện Bá Thước"),
    "TH-QUANSON": ("387", "Chi cục Thi hành án dân sự huyện Quan Sơn"),
    "TH-LANGCHANH": ("388", "Chi cục Thi hành án dân sự huyện Lang Chánh"),
    "TH-NGOCLAC": ("389", "Chi cục Thi hành án dân sự huyện Ngọc Lặc"),
    "TH-CAMTHUY": ("390", "Chi cục Thi hành án dân sự huyện Cẩm Thủy"),
    "TH-THACHTHANH": ("391", "Chi cục Thi hành án dân sự huyện Thạch Thành"),
    "TH-HATRUNG": ("392", "Chi cục Thi hành án dân sự huyện Hà Trung"),
    "TH-VINHLOC": ("393", "Chi cục Thi hành án dân sự huyện Vĩnh Lộc"),
    "TH-YENDINH": ("394", "Chi cục Thi hành án dân sự huyện Yên Định"),
    "TH-THOXUAN": ("395", "Chi cục Thi hành án dân sự huyện Thọ Xuân"),
    "TH-THUONGXUAN": ("396", "Chi cục Thi hành án dân sự huyện Thường Xuân"),
    "TH-TRIEUSON": ("397", "Chi cục Thi hành án dân sự huyện Triệu Sơn"),
    "TH-THIEUHOA": ("398", "Chi cục Thi hành án dân sự huyện Thiệu Hóa"),
    "TH-HOANGHOA": ("399", "Chi cục Thi hành án dân sự huyện Hoằng Hóa"),
    "TH-HAULOC": ("400", "Chi cục Thi hành án dân sự huyện Hậu Lộc"),
    "TH-NGASON": ("401", "Chi cục Thi hành án dân sự huyện Nga Sơn"),
    "TH-NHUXUAN": ("402", "Chi cục Thi hành án dân sự huyện Như Xuân"),
    "TH-NHUTHANH": ("403", "Chi cục Thi hành án dân sự huyện Như Thanh"),
    "TH-NONGCONG": ("404", "Chi cục Thi hành án dân sự huyện Nông Cống"),
    "TH-DONGSON": ("405", "Chi cục Thi hành án dân sự huyện Đông Sơn"),
    "TH-QUANGXUONG": ("406", "Chi cục Thi hành án dân sự huyện Quảng Xương"),
    "TH-TINHGIA": ("407", "Chi cục Thi hành án dân sự huyện Tĩnh Gia"),
    # from 1/7/2025: regional offices (not official administrative codes, see above)
    "TH-KV01": ("38-KV01", "Phòng Thi hành án dân sự khu vực 1 - Thanh Hóa"),
    "TH-KV02": ("38-KV02", "Phòng Thi hành án dân sự khu vực 2 - Thanh Hóa"),
    "TH-KV03": ("38-KV03", "Phòng Thi hành án dân sự khu vực 3 - Thanh Hóa"),
}
PROVINCES: dict[str, str] = {"38": "Thi hành án dân sự tỉnh Thanh Hóa"}
# the platform's province prefix of an office code (thads_kit.scoping.province_of) → official code
PLATFORM_PROVINCES: dict[str, str] = {"TH": "38"}


def _province_of(office: str) -> str:
    return PLATFORM_PROVINCES[office.split("-", 1)[0]]


def _build() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for office, (code, name) in OFFICES.items():
        units[code] = Unit(code, name, _province_of(office), (office,))
    for province, name in PROVINCES.items():
        offices = tuple(o for o in OFFICES if _province_of(o) == province)
        units[province] = Unit(province, name, province, offices)
    return units


UNITS: dict[str, Unit] = _build()


class UnknownUnitError(Exception):
    status_code = 404
    rule = "statistics.unknown_unit"

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown reporting unit {code!r}; known: {', '.join(sorted(UNITS))} "
                         "(or several provinces separated by commas)")
        self.message_vi = (f"Không có đơn vị báo cáo mã {code!r}. Dùng mã hành chính chính thức của tỉnh "
                           "(ví dụ 38 — Thanh Hóa) hoặc của huyện (ví dụ 381), hoặc nhiều tỉnh cách nhau bởi dấu phẩy.")


def official_code(office: str) -> str | None:
    """The official code an office reports under, or None when the office is not known."""
    entry = OFFICES.get(office)
    return entry[0] if entry else None


def resolve(code: str) -> Unit:
    """One unit, or several provinces rolled up ("38,40"). Raises UnknownUnitError."""
    parts = [p.strip() for p in code.split(",")]
    if len(parts) == 1:
        if parts[0] not in UNITS:
            raise UnknownUnitError(code)
        return UNITS[parts[0]]
    units = []
    for p in parts:
        if p not in PROVINCES:
            raise UnknownUnitError(p)
        units.append(UNITS[p])
    return Unit(",".join(parts), " + ".join(u.name for u in units), ",".join(parts),
                tuple(o for u in units for o in u.offices))
