"""Online's anti-corruption layer, pure functions.

Outbound (`relay_translate`, the kit relay's Translate) on thads.online.filing, keyed by the FILING id
(thads_contracts.online: a filing is not a case yet): Submitted → FilingReceived, SentBack →
FilingSentBack, Corrected → FilingCorrected, Accepted → FilingAccepted (what intake opens the case
from), Refused → FilingRefused. CaseMilestone is internal (it came from intake's own topic). None of
them carries personal data; a citizen's step is recorded with the tracking code as the actor id.

Inbound (`milestone`): the events of intake's topic that the citizen follows, in plain Vietnamese —
decision issued, voluntary period, verification result (with or without conditions), money collected
and paid out, postponed, suspended, continued, terminated, completed. Nothing else of the case is
shown (no parties, no officers, no internal deadlines), and only the label and date are kept.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from thads_contracts import intake as i
from thads_contracts import online as c
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.envelope import Envelope
from thads_contracts.registry import encode
from thads_contracts.topics import ONLINE_FILING
from thads_kit.relay import Outgoing

from .domain import Filing, business_date, vn_date

SOURCE = "online"
STAFF_ROLES = {"officer", "head", "clerk", "accountant", "admin"}
INTERNAL = (Filing.CaseMilestone,)


def actor_string(role: str, who: str) -> str:
    return f"{role}/{who}"


def _actor(event: Any, unit: str, tracking_code: str) -> ContractActor:
    role, _, who = str(getattr(event, "actor", "") or "").partition("/")
    if role in STAFF_ROLES and who:
        return ContractActor(id=who, role=role, unit=unit)  # type: ignore[arg-type]
    return ContractActor(id=tracking_code, role="citizen")


def _total(details: dict[str, Any]) -> int:
    return sum(int(x.get("amount_vnd") or 0) for x in details.get("claims") or ())


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _state(event: Any) -> dict[str, Any]:
    if isinstance(event, Filing.Submitted):
        return {"tracking_code": event.tracking_code, "unit": event.unit, "details": event.details,
                "filed_on": business_date(event.filed_at), "review_due_on": event.review_due_on}
    return dict(event.ctx)


def to_contract(event: Any, notification_id: int) -> Envelope | None:
    if isinstance(event, INTERNAL):
        return None
    state = _state(event)
    code, unit, details = state["tracking_code"], state["unit"], state["details"]
    if isinstance(event, Filing.Submitted):
        model: Any = c.FilingReceived
        payload: Any = c.FilingReceivedPayload(
            tracking_code=code, requester_role=c.RequesterRole(details["requester_role"]),
            judgment_number=details["judgment_number"], issuing_court=details["issuing_court"],
            judgment_effective_on=_day(details["judgment_effective_on"]), filed_on=_day(state["filed_on"]),
            suggested_unit=event.suggested_unit, claim_total_vnd=_total(details),
            attachments=len(details.get("attachments") or ()), review_due_on=event.review_due_on)
        at = event.filed_at
    elif isinstance(event, Filing.SentBack):
        model = c.FilingSentBack
        payload = c.FilingSentBackPayload(tracking_code=code, missing=tuple(c.MissingItem(m) for m in event.missing),
                                          sent_back_on=event.sent_back_on, review_due_on=_day(state["review_due_on"]),
                                          late=event.late)
        at = event.at
    elif isinstance(event, Filing.Corrected):
        model = c.FilingCorrected
        payload = c.FilingCorrectedPayload(tracking_code=code, corrected_on=event.corrected_on,
                                           review_due_on=event.review_due_on)
        at = event.at
    elif isinstance(event, Filing.Accepted):
        model = c.FilingAccepted
        payload = c.FilingAcceptedPayload(
            tracking_code=code, case_id=UUID(str(event.case_id)),
            requester_role=c.RequesterRole(details["requester_role"]),
            judgment_number=details["judgment_number"], issuing_court=details["issuing_court"],
            judgment_effective_on=_day(details["judgment_effective_on"]), filed_on=_day(state["filed_on"]),
            accepted_on=event.accepted_on, claim_total_vnd=_total(details))
        at = event.at
    elif isinstance(event, Filing.Refused):
        model = c.FilingRefused
        payload = c.FilingRefusedPayload(tracking_code=code, ground=c.FilingRefusalGround(event.ground),
                                         refused_on=event.refused_on)
        at = event.at
    else:
        raise LookupError(f"{type(event).__qualname__} is neither published nor listed as internal")
    return model.create(payload=payload, source=SOURCE, aggregate_id=event.originator_id,
                        aggregate_version=event.originator_version, case_id=event.originator_id, unit=unit,
                        actor=_actor(event, unit, code), occurred_at=at, recorded_at=event.timestamp,
                        source_position=notification_id)


def relay_translate(event: Any, notification_id: int) -> Outgoing | None:
    env = to_contract(event, notification_id)
    if env is None:
        return None
    return Outgoing(topic=ONLINE_FILING, key=env.kafka_key, value=encode(env),
                    headers=[("event_type", env.event_type.encode()), ("source", SOURCE.encode())])


# ---------------------------------------------------------------- inbound: intake's case → milestones

def _money(v: int) -> str:
    return f"{v:,}".replace(",", ".") + " đồng"


def milestone(env: Envelope) -> tuple[str, str] | None:
    """(kind, plain Vietnamese label) of an intake event the citizen follows; None: not shown."""
    p: Any = env.payload
    if isinstance(env, (i.EnforcementDecided, i.EnforcementDecidedV2)):
        return "decision_issued", f"Đã ra quyết định thi hành án số {p.decision_number} ngày {vn_date(p.decided_on)}"
    if isinstance(env, i.VoluntaryPeriodStarted):
        return "voluntary_period", (f"Thời hạn tự nguyện thi hành án từ ngày {vn_date(p.notified_on)} "
                                    f"đến ngày {vn_date(p.ends_on)}")
    if isinstance(env, i.VerificationRecorded):
        result = str(getattr(p.result, "value", p.result))
        text = ("người phải thi hành án có điều kiện thi hành" if result == "with_conditions"
                else "người phải thi hành án chưa có điều kiện thi hành")
        return "verification", f"Kết quả xác minh điều kiện thi hành án: {text} (ngày {vn_date(p.verified_on)})"
    if isinstance(env, (i.MoneyCollected, i.MoneyCollectedV2)):
        return "money_collected", f"Đã thu được {_money(p.amount_vnd)} ngày {vn_date(p.collected_on)}"
    if isinstance(env, i.MoneyDisbursed):
        return "money_paid_out", f"Đã chi trả {_money(p.amount_vnd)} ngày {vn_date(p.disbursed_on)}"
    if isinstance(env, i.CasePostponed):
        return "postponed", f"Việc thi hành án bị hoãn (quyết định số {p.decision_number} ngày {vn_date(p.postponed_on)})"
    if isinstance(env, i.CaseSuspended):
        return "suspended", (f"Việc thi hành án bị tạm đình chỉ (quyết định số {p.decision_number} "
                             f"ngày {vn_date(p.suspended_on)})")
    if isinstance(env, i.CaseContinued):
        return "continued", f"Việc thi hành án được tiếp tục (quyết định số {p.decision_number})"
    if isinstance(env, (i.CaseTerminated, i.CaseTerminatedV2)):
        return "terminated", (f"Việc thi hành án bị đình chỉ (quyết định số {p.decision_number} "
                              f"ngày {vn_date(p.terminated_on)})")
    if isinstance(env, i.CaseCompleted):
        return "completed", f"Việc thi hành án đã thi hành xong ngày {vn_date(p.completed_on)}"
    return None
