"""The Denunciation aggregate (tố cáo) against enforcement staff, and its rules (domain.md §4; LCJE
Arts. 154–157; Law on Denunciation 2018; ND 152/2026 Arts. 75–77):

- who handles it (`handler_unit`): the head of the agency managing the accused; when the accused is a
  HEAD, the level above (a regional/district office's head → the province; a province head → the
  central department, CUC);
- time to resolve: 60 days from acceptance, extendable once to at most 90 days in complex cases
  (`RESOLVE_DAYS`, `COMPLEX_MAX_DAYS`) [GK: the general Law on Denunciation 2018 counts 30 + 30 + 30];
- a repeat denunciation (same accused, an earlier one already resolved) with no new content is not
  re-examined: it is recorded and closed at once (status not_reexamined);
- a group denunciation (5 or more people, same content) names 2 to 5 representatives
  (rule denunciation.group_representatives);
- the denouncer's identity NEVER enters an event: names, id numbers and addresses live in the table
  `denouncer_personal_data` (personal_data.py), written in the same transaction as the Filed event,
  read only by the roles that need it, each read recorded in the kit's access log (api.py).
Pure: stdlib, eventsourcing.domain; time and ids come in as arguments.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from thads_calendar.retention import retained_until as platform_retained_until

from .domain import CENTRAL_UNIT, ComplaintsError, InvalidDateError, InvalidValueError, NotCompetentError, province_of

RESOLVE_DAYS = 60
COMPLEX_MAX_DAYS = 90
GROUP_FROM = 5                      # ND 152/2026 Art. 77: 5 or more people with the same content
REPRESENTATIVES = (2, 5)
RETENTION_YEARS = 5
RETENTION_BASIS = ("Luật Tố cáo 2018 Điều 47, 48 (bảo vệ, giữ bí mật người tố cáo); tố cáo tiếp có nội dung mới "
                   "[GK: thời hạn lưu trữ hồ sơ giải quyết tố cáo cần kiểm tra]")


class AccusedRole(StrEnum):
    OFFICER = "officer"             # chấp hành viên
    STAFF = "staff"                 # other civil servant
    HEAD = "head"                   # thủ trưởng / phó thủ trưởng


class Finding(StrEnum):
    FOUNDED = "founded"             # tố cáo đúng
    PARTLY_FOUNDED = "partly_founded"
    UNFOUNDED = "unfounded"         # tố cáo sai


class DStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    NOT_REEXAMINED = "not_reexamined"


DSTATUS_LABELS = {DStatus.RECEIVED: "Đã nhận đơn tố cáo", DStatus.ACCEPTED: "Đã thụ lý, đang xác minh",
                  DStatus.RESOLVED: "Đã kết luận nội dung tố cáo",
                  DStatus.NOT_REEXAMINED: "Tố cáo tiếp không có nội dung mới: không giải quyết lại"}
FINDING_LABELS = {Finding.FOUNDED: "Tố cáo đúng", Finding.PARTLY_FOUNDED: "Tố cáo đúng một phần",
                  Finding.UNFOUNDED: "Tố cáo sai"}


class GroupRepresentativesError(ComplaintsError):
    rule = "denunciation.group_representatives"
    legal_basis = "Nghị định 152/2026 Điều 77"
    message_vi = "Tố cáo của từ 05 người trở lên cùng nội dung phải cử từ 02 đến 05 người đại diện."


class DenunciationStatusError(ComplaintsError):
    rule = "denunciation.wrong_status"
    message_vi = "Đơn tố cáo không ở trạng thái cho phép thao tác này."


class ExtensionError(ComplaintsError):
    rule = "denunciation.extension_once_up_to_90_days"
    legal_basis = "Luật THADS Điều 157; Luật Tố cáo 2018 Điều 30"
    message_vi = "Chỉ gia hạn giải quyết tố cáo một lần đối với vụ việc phức tạp, tổng thời hạn không quá 90 ngày."


class RepeatOfError(ComplaintsError):
    rule = "denunciation.repeat_of_unknown"
    message_vi = "Đơn tố cáo trước được nêu không tồn tại hoặc không cùng người bị tố cáo."


class DenouncerDataRetainedError(ComplaintsError):
    rule = "denunciation.personal_data_retained"
    legal_basis = RETENTION_BASIS
    message_vi = ("Chưa được xóa thông tin người tố cáo: hồ sơ tố cáo phải giữ thông tin này khi đang giải quyết và "
                  f"{RETENTION_YEARS} năm sau khi kết luận.")


class DenouncerDataAlreadyErasedError(ComplaintsError):
    rule = "personal_data.already_erased"
    message_vi = "Thông tin của những người tố cáo này đã được xóa trước đó; không có gì được ghi."


def retained_until(closed_on: date) -> date:
    """The first day the denouncers' identity of a denunciation closed on `closed_on` may be erased
    (the platform's retention rule, thads_calendar.retention, for RETENTION_YEARS)."""
    return platform_retained_until(closed_on, RETENTION_YEARS)


def handler_unit(accused_role: AccusedRole, accused_unit: str) -> str:
    """The office whose head resolves it: the accused's own agency, or the level above for a head."""
    if AccusedRole(accused_role) is not AccusedRole.HEAD:
        return accused_unit
    return province_of(accused_unit) if "-" in accused_unit else CENTRAL_UNIT


class Denunciation(Aggregate):
    @staticmethod
    def create_id(denunciation_id: UUID) -> UUID:
        return denunciation_id

    @event("Filed")
    def __init__(self, denunciation_id: UUID, accused_role: str, accused_unit: str, accused_id: str,
                 handler_unit: str, received_on: date, content: str, denouncers: int, representatives: int,
                 repeat_of: UUID | None, new_content: bool, not_reexamined: bool, actor: str, at: datetime) -> None:
        self.accused_role, self.accused_unit, self.accused_id = AccusedRole(accused_role), accused_unit, accused_id
        self.handler_unit, self.received_on, self.content = handler_unit, received_on, content
        self.denouncers, self.representatives = denouncers, representatives
        self.repeat_of, self.new_content = repeat_of, new_content
        self.status = DStatus.NOT_REEXAMINED if not_reexamined else DStatus.RECEIVED
        self.accepted_on: date | None = None
        self.due_on: date | None = None
        self.extended = False
        self.finding: dict[str, Any] | None = None
        self.erasures: list[dict[str, Any]] = []

    @classmethod
    def file(cls, *, denunciation_id: UUID, accused_role: AccusedRole, accused_unit: str, accused_id: str,
             received_on: date, content: str, denouncers: int = 1, representatives: int = 0,
             repeat_of: "Denunciation | None" = None, new_content: bool = False, today: date, actor: str,
             at: datetime) -> "Denunciation":
        if not content.strip():
            raise InvalidValueError("content must not be blank", message_vi="Phải nêu nội dung tố cáo.")
        if received_on > today:
            raise InvalidDateError(f"received_on {received_on} is after today")
        if denouncers < 1:
            raise InvalidValueError("at least one denouncer", message_vi="Đơn tố cáo phải có ít nhất một người tố cáo.")
        if denouncers >= GROUP_FROM and not REPRESENTATIVES[0] <= representatives <= min(REPRESENTATIVES[1], denouncers):
            raise GroupRepresentativesError(f"{denouncers} denouncers name {representatives} representatives")
        if repeat_of is not None and (repeat_of.accused_id, repeat_of.accused_unit) != (accused_id, accused_unit):
            raise RepeatOfError(f"denunciation {repeat_of.id} accuses someone else")
        not_reexamined = (repeat_of is not None and repeat_of.status in (DStatus.RESOLVED, DStatus.NOT_REEXAMINED)
                          and not new_content)
        return cls(denunciation_id=denunciation_id, accused_role=AccusedRole(accused_role).value,
                   accused_unit=accused_unit, accused_id=accused_id,
                   handler_unit=handler_unit(AccusedRole(accused_role), accused_unit), received_on=received_on,
                   content=content, denouncers=denouncers, representatives=representatives,
                   repeat_of=repeat_of.id if repeat_of is not None else None, new_content=new_content,
                   not_reexamined=not_reexamined, actor=actor, at=at)

    def _competent(self, decider_unit: str) -> None:
        if decider_unit != self.handler_unit:
            raise NotCompetentError(f"denunciation {self.id} is handled by {self.handler_unit}, not {decider_unit}",
                                    message_vi=f"Thẩm quyền giải quyết tố cáo này thuộc Thủ trưởng đơn vị "
                                               f"{self.handler_unit}.", legal_basis="Luật THADS Điều 156")

    def _ensure(self, *allowed: DStatus, doing: str) -> None:
        if self.status not in allowed:
            raise DenunciationStatusError(f"cannot {doing} denunciation {self.id} in status {self.status.value}",
                                          message_vi=f"Không thể thực hiện khi đơn tố cáo ở trạng thái "
                                                     f"«{DSTATUS_LABELS[self.status]}».")

    def accept(self, *, decider_unit: str, accepted_on: date, today: date, actor: str, at: datetime) -> None:
        self._ensure(DStatus.RECEIVED, doing="accept")
        self._competent(decider_unit)
        if not self.received_on <= accepted_on <= today:
            raise InvalidDateError(f"accepted_on {accepted_on} outside {self.received_on}..{today}")
        self._accepted(accepted_on=accepted_on, due_on=accepted_on + timedelta(days=RESOLVE_DAYS), actor=actor, at=at)

    @event("Accepted")
    def _accepted(self, accepted_on: date, due_on: date, actor: str, at: datetime) -> None:
        self.status, self.accepted_on, self.due_on = DStatus.ACCEPTED, accepted_on, due_on

    def extend(self, *, decider_unit: str, days: int, today: date, actor: str, at: datetime) -> None:
        """Complex case: one extension, the whole period at most 90 days from acceptance."""
        self._ensure(DStatus.ACCEPTED, doing="extend")
        self._competent(decider_unit)
        assert self.accepted_on is not None and self.due_on is not None
        new_due = self.due_on + timedelta(days=days)
        if self.extended or days < 1 or new_due > self.accepted_on + timedelta(days=COMPLEX_MAX_DAYS):
            raise ExtensionError(f"extension of {days} days (extended before: {self.extended})")
        self._extended(due_on=new_due, actor=actor, at=at)

    @event("Extended")
    def _extended(self, due_on: date, actor: str, at: datetime) -> None:
        self.due_on, self.extended = due_on, True

    def resolve(self, *, decider_unit: str, finding: Finding, conclusion_number: str, concluded_on: date,
                today: date, actor: str, at: datetime) -> None:
        self._ensure(DStatus.ACCEPTED, doing="resolve")
        self._competent(decider_unit)
        assert self.accepted_on is not None and self.due_on is not None
        if not self.accepted_on <= concluded_on <= today:
            raise InvalidDateError(f"concluded_on {concluded_on} outside {self.accepted_on}..{today}")
        if not conclusion_number.strip():
            raise InvalidValueError("conclusion_number must not be blank", message_vi="Phải ghi số kết luận.")
        self._resolved(finding=Finding(finding).value, conclusion_number=conclusion_number, concluded_on=concluded_on,
                       on_time=concluded_on <= self.due_on, actor=actor, at=at)

    @event("Resolved")
    def _resolved(self, finding: str, conclusion_number: str, concluded_on: date, on_time: bool, actor: str,
                  at: datetime) -> None:
        self.status = DStatus.RESOLVED
        self.finding = {"finding": finding, "conclusion_number": conclusion_number, "concluded_on": concluded_on,
                        "on_time": on_time}

    @property
    def closed_on(self) -> date | None:
        """The day the denunciation was closed (concluded, or recorded as not re-examined); None: open."""
        if self.status is DStatus.RESOLVED and self.finding is not None:
            return self.finding["concluded_on"]
        return self.received_on if self.status is DStatus.NOT_REEXAMINED else None

    @property
    def erased_seqs(self) -> set[int]:
        return {n for e in getattr(self, "erasures", []) for n in e["seqs"]}

    def erase_denouncers(self, *, decider_unit: str, seqs: list[int] | None, ground: str, requested_by: str,
                         request_ref: str, legal_basis: str, today: date, actor: str, at: datetime) -> list[int]:
        """Erase the identity of the denouncers numbered `seqs` (all when None); returns those erased."""
        self._competent(decider_unit)
        closed = self.closed_on
        if closed is None or today < retained_until(closed):
            until = f"đến hết ngày {retained_until(closed) - timedelta(days=1):%d/%m/%Y}" if closed else "khi đang giải quyết"
            raise DenouncerDataRetainedError(
                f"denunciation {self.id} keeps its denouncers until {retained_until(closed) if closed else 'closed'}",
                message_vi=f"Chưa được xóa thông tin người tố cáo: hồ sơ phải giữ thông tin này {until}.")
        wanted = set(seqs) if seqs else set(range(1, self.denouncers + 1))
        if not wanted <= set(range(1, self.denouncers + 1)):
            raise InvalidValueError(f"denouncer numbers {sorted(wanted)} outside 1..{self.denouncers}",
                                    message_vi=f"Số thứ tự người tố cáo phải từ 1 đến {self.denouncers}.")
        todo = sorted(wanted - self.erased_seqs)
        if not todo:
            raise DenouncerDataAlreadyErasedError(f"denouncers {sorted(wanted)} of {self.id} already erased")
        if not request_ref.strip():
            raise InvalidValueError("request_ref must not be blank", message_vi="Phải ghi số văn bản yêu cầu xóa.")
        self._denouncers_erased(seqs=todo, ground=ground, requested_by=requested_by, request_ref=request_ref,
                                legal_basis=legal_basis, erased_on=today, actor=actor, at=at)
        return todo

    @event("DenouncersErased")
    def _denouncers_erased(self, seqs: list[int], ground: str, requested_by: str, request_ref: str,
                           legal_basis: str, erased_on: date, actor: str, at: datetime) -> None:
        self.erasures = [*getattr(self, "erasures", []), {
            "seqs": list(seqs), "ground": ground, "requested_by": requested_by, "request_ref": request_ref,
            "legal_basis": legal_basis, "erased_on": erased_on, "actor": actor}]

    @property
    def next_due_on(self) -> date | None:
        return self.due_on if self.status is DStatus.ACCEPTED else None
