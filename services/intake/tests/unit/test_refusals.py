"""Refusals people can read (issue 6 §3): every intake refusal carries a stable English `rule` id,
its `legal_basis` as its own field, and a Vietnamese `message_vi` for officers; `str(exc)` stays
the English technical detail."""

from __future__ import annotations

import re
from datetime import date

import pytest

import intake_service.application as application
import intake_service.domain.errors as errors
import intake_service.personal_data as personal_data
from intake_service.domain import (
    COMMAND_LABELS_VI,
    ROLE_LABELS_VI,
    TRANSITIONS,
    Case,
    IntakeError,
    Role,
)
from intake_service.testing import ACCOUNTANT, CLERK, HEAD, JUDGMENT, OFFICER, at

RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.I)


def _all_errors() -> list[type[IntakeError]]:
    found = {cls for module in (errors, application, personal_data) for cls in vars(module).values()
             if isinstance(cls, type) and issubclass(cls, IntakeError) and cls is not IntakeError}
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", _all_errors(), ids=lambda c: c.__name__)
def test_every_refusal_class_has_a_rule_id_and_a_vietnamese_message(cls: type[IntakeError]) -> None:
    if cls is not errors.InvalidTransitionError:  # its id is transition.<TRANSITIONS key>, set per refusal
        assert RULE_ID.match(cls.rule), cls.rule
    assert VIETNAMESE.search(cls.message_vi), cls.message_vi


def test_rule_ids_are_unique_per_class() -> None:
    ids = [c.rule for c in _all_errors() if c is not errors.InvalidTransitionError]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_command_and_role_has_a_vietnamese_label() -> None:
    assert set(COMMAND_LABELS_VI) == set(TRANSITIONS)
    assert set(ROLE_LABELS_VI) == set(Role)


def _voluntary() -> Case:
    case = Case.receive_judgment("HN-01", "BA-1", at(2026, 11, 23), CLERK, **JUDGMENT)
    case.decide_enforcement("QD-1", "ex_officio", at(2026, 11, 24), HEAD)
    case.add_party("cr", "creditor", "individual", at(2026, 11, 24, 10), CLERK)
    case.add_claim_item("c1", "other", 10_000_000, "cr", at(2026, 11, 24, 11), CLERK)
    case.notify(at(2026, 12, 1), OFFICER)
    return case


def test_the_voluntary_period_refusal_of_the_issue_reads_in_vietnamese() -> None:
    # notice on 1/12/2026: the 10 days run until 11/12/2026 (Art. 36(1) Luật THADS 2025, was Art. 45)
    case = _voluntary()
    with pytest.raises(errors.VoluntaryPeriodRunningError) as refused:
        case.start_verification(at(2026, 12, 4), OFFICER)
    e = refused.value
    assert e.rule == "voluntary_period.running"
    assert e.legal_basis == "Art. 36(1) Luật THADS 2025 (was Art. 45 Luật THADS 2008)"
    assert e.message_vi == ("Thời hạn tự nguyện thi hành án còn đến hết ngày 11/12/2026; chưa được tiến hành "
                            "xác minh điều kiện thi hành án.")
    assert str(e) == ("the voluntary period runs until 2026-12-11 "
                      "(Art. 36(1) Luật THADS 2025 (was Art. 45 Luật THADS 2008))")


def test_a_transition_refusal_names_the_command_and_the_status_in_vietnamese() -> None:
    case = _voluntary()
    with pytest.raises(errors.InvalidTransitionError) as refused:
        case.order_seizure("QD-KB", "Nhà", ["c1"], at(2026, 12, 2), OFFICER, asset_kind="real_estate")
    e = refused.value
    assert e.rule == "transition.order_seizure"
    assert e.message_vi == ("Không thể kê biên tài sản khi việc thi hành án đang ở trạng thái "
                            "«Trong thời hạn tự nguyện thi hành án».")
    assert e.legal_basis == "Arts. 46, 71 Luật THADS 2008 [GK: Law 106/2025 article not verified; 2008-law rule kept]"


def test_a_role_refusal_names_the_roles_that_may_act() -> None:
    case = _voluntary()
    with pytest.raises(errors.ActorNotPermittedError) as refused:
        case.terminate("judgment_annulled", "QD-DC", at(2026, 12, 2), ACCOUNTANT)
    e = refused.value
    assert e.rule == "role.terminate"
    assert e.message_vi.startswith("Vai trò «Kế toán» không có thẩm quyền đình chỉ thi hành án; cần: ")
    assert "Thủ trưởng cơ quan thi hành án" in e.message_vi


def test_an_unknown_ground_names_the_article_as_legal_basis() -> None:
    case = _voluntary()
    with pytest.raises(errors.InvalidGroundError) as refused:
        case.terminate("bored", "QD-DC", at(2026, 12, 2), HEAD)
    assert refused.value.rule == "ground.invalid"
    assert refused.value.legal_basis is not None and "Art. 50" in refused.value.legal_basis
    assert refused.value.message_vi.startswith("«bored» không phải là căn cứ theo ")


def test_refusing_an_unexpired_limitation_gives_the_dates_in_vietnamese() -> None:
    case = Case.receive_request("HN-01", "DON-1", "in_person", at(2024, 3, 4), CLERK,
                                judgment_effective_on=date(2023, 1, 10), **JUDGMENT)
    with pytest.raises(errors.InvalidGroundError) as refused:
        case.refuse_request("limitation_expired", at(2024, 3, 5), HEAD)
    e = refused.value
    assert e.rule == "limitation.not_expired"
    assert e.legal_basis == "Art. 30 Luật THADS 2008"
    assert "04/03/2024" in e.message_vi and "10/01/2023" in e.message_vi and "10/01/2028" in e.message_vi


def test_the_amount_helpers_write_vietnamese_figures() -> None:
    assert errors.vn_money(247_500_000) == "247.500.000 đồng"
    assert errors.vn_date(date(2026, 12, 11)) == "11/12/2026"
