"""The case aggregate: a Case is one enforcement decision (1 QĐTHA = 1 việc), from the judgment
or request received to its end. Invariants: the status moves only along the Luật THADS state
machine (transitions.TRANSITIONS); business time `at` never runs backwards; money paid out never
exceeds money held nor breaks the Art. 47 payment order (money.py); parties are ids only, personal
data lives elsewhere. Snapshots of it: snapshots.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from intake_service.calendar_vn import add_months, is_working_day
from intake_service.deadlines import (
    LAW_2025_IN_FORCE,
    Step,
    deadline_for,
    due_date,
    legal_reference,
    separate_register_rule,
)
from intake_service.domain.errors import (
    LimitationNotExpiredError, LimitationNotExpiredGroundError,
    vn_date,
    vn_money,
    ActorNotPermittedError,
    AmountExceedsOutstandingError,
    BackdatedEventError,
    BasisMismatchError,
    CertificateRequestPendingError,
    ConflictingSourceRefError,
    DeadlineNotPassedError,
    DuplicateClaimItemError,
    DuplicateDecisionError,
    DuplicatePartyError,
    FeeNotApplicableError,
    ForbiddenCoercionTimeError,
    InsufficientMoneyHeldError,
    InvalidChannelError,
    InvalidGroundError,
    InvalidPartyError,
    InvalidTransitionError,
    InvalidValueError,
    LimitationExpiredError,
    NaiveDatetimeError,
    NoCertificateRequestError,
    NothingOutstandingError,
    NothingToChargeError,
    OfficerAlreadyAssignedError,
    OfficerNotAssignedError,
    OutstandingClaimsError,
    PaymentOrderViolationError,
    ProcuracyCopyAlreadyRecordedError,
    ReturnNotApplicableError,
    RuleNotInForceError,
    SeparateRegisterNotDueError,
    UnknownClaimItemError,
    UnknownDecisionError,
    UnknownPartyError,
    VoluntaryPeriodRunningError,
    MoneyHeldError,
    ReasonsRequiredError,
    MissingGroundError,
)
from intake_service.domain.fees import FEE_EXEMPT_KINDS, fee_due
from intake_service.domain.limitation import LIMITATION_YEARS, limitation_basis
from intake_service.domain.money import legal_allocation
from intake_service.domain.snapshots import CaseSnapshot, case_from_snapshot_state, snapshot_state
from intake_service.domain.records import ClaimItem, Collection, Decision, InKindTaking, Party
from intake_service.domain.transitions import (
    COLLECTION_RULES,
    COMMAND_LABELS_VI,
    CREATION_ROLES,
    LEADERS,
    ROLE_LABELS_VI,
    TRANSITIONS,
)
from intake_service.domain.values import (
    BANK_CODE,
    _from_iso,
    _ground,
    _iso,
    _member,
    _office_code,
    _parse,
    _positive,
    _text,
    _token,
    _value,
    business_date,
)
from intake_service.domain.vocabulary import (
    Actor,
    AssetKind,
    Basis,
    Channel,
    ClaimKind,
    CoerciveMeasure,
    CollectionChannel,
    DelegationGround,
    FIELD_MEASURES,
    Matter,
    NoConditionGround,
    Origin,
    PartyKind,
    PartyRole,
    PostponementGround,
    RefusalGround,
    RevocationGround,
    Role,
    STATUS_LABELS,
    SecurityMeasure,
    Status,
    SuspensionGround,
    TerminationGround,
    VN_TZ,
    VerificationOutcome,
    LateRequestGround,
    PARTIAL_TERMINATION_GROUNDS,
    ReductionKind,
)


class Case(Aggregate):
    """One enforcement case (việc thi hành án). Commands take business time `at` and the actor."""

    class Event(Aggregate.Event):
        """Every event names the case's office, so that it can be published without loading the case."""
        unit_id: str

    class JudgmentReceived(Aggregate.Created):
        unit_id: str
        intake_ref: str
        matter: str
        channel: str
        judgment_number: str
        issuing_court: str
        judgment_effective_on: str | None
        at: datetime
        actor_id: str
        actor_role: str

        def apply(self, aggregate: Case) -> None:
            aggregate.origin = Origin.JUDGMENT
            aggregate.matter = Matter(self.matter)
            aggregate.channel = Channel(self.channel)
            aggregate.status = Status.JUDGMENT_RECEIVED
            aggregate._record_judgment(self.judgment_number, self.issuing_court, self.judgment_effective_on)

    class RequestReceived(Aggregate.Created):
        unit_id: str
        intake_ref: str
        channel: str
        filed_on: str
        judgment_number: str
        issuing_court: str
        judgment_effective_on: str | None
        at: datetime
        actor_id: str
        actor_role: str

        def apply(self, aggregate: Case) -> None:
            aggregate.origin = Origin.REQUEST
            aggregate.channel = Channel(self.channel)
            aggregate.filed_on = date.fromisoformat(self.filed_on)
            aggregate.status = Status.REQUEST_RECEIVED
            aggregate._record_judgment(self.judgment_number, self.issuing_court, self.judgment_effective_on)

    class DelegationReceived(Aggregate.Created):
        """A case received from another office by delegation (Art. 57 as amended 2022): registered
        here, origin "delegation"; this office issues its own QĐTHA within 5 WD."""
        unit_id: str
        intake_ref: str
        matter: str
        from_unit_id: str
        delegation_decision_no: str
        basis: str
        judgment_number: str
        issuing_court: str
        judgment_effective_on: str | None
        at: datetime
        actor_id: str
        actor_role: str

        def apply(self, aggregate: Case) -> None:
            aggregate.origin = Origin.DELEGATION
            aggregate.matter = Matter(self.matter)
            aggregate.channel = Channel.POST
            aggregate.status = Status.JUDGMENT_RECEIVED
            aggregate.delegated_from = self.from_unit_id
            aggregate.delegation_basis = Basis(self.basis)
            aggregate._record_judgment(self.judgment_number, self.issuing_court, self.judgment_effective_on)

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        kwargs.setdefault("unit_id", self.unit_id)  # the office never changes, not even on delegation
        super().trigger_event(event_class, **kwargs)

    def _record_judgment(self, number: str, court: str, effective_on: str | None) -> None:
        self.judgment_number, self.issuing_court = number, court
        self.judgment_effective_on = _from_iso(effective_on)

    def __init__(self, unit_id: str, intake_ref: str, at: datetime) -> None:
        self.unit_id, self.intake_ref = unit_id, intake_ref
        self.judgment_number: str = ""  # the court's judgment or decision being enforced
        self.issuing_court: str = ""
        self.judgment_effective_on: date | None = None  # starts the 5-year limitation period (Art. 30)
        self.origin: Origin = Origin.JUDGMENT
        self.matter: Matter = Matter.ORDINARY
        self.channel: Channel | None = None
        self.filed_on: date | None = None
        self.status: Status = Status.JUDGMENT_RECEIVED
        self.previous_status: Status | None = None
        self.last_at: datetime = at
        self.received_on: date = business_date(at)
        self.basis: Basis | None = None
        self.decided_on: date | None = None
        self.refused_on: date | None = None
        self.ground: str | None = None
        self.officer_id: str | None = None
        self.parties: dict[str, Party] = {}
        self.items: dict[str, ClaimItem] = {}
        self.decisions: dict[str, Decision] = {}
        self.notified_on: date | None = None
        self.verification_started_on: date | None = None
        self.no_condition_on: date | None = None
        self.long_reverification = False
        self.checks: list[date] = []
        self.measures: list[dict[str, Any]] = []
        self.collections: dict[str, Collection] = {}
        self.disbursements: list[tuple[date, int]] = []
        self.fee_total_vnd = 0
        self.delegated_to: str | None = None
        self.certificate_requested_on: date | None = None
        self.certificate_no: str | None = None
        self.timeline: list[tuple[Step, date, date]] = []
        self.missed: set[tuple[str, str]] = set()
        self.taken_in_kind: dict[str, InKindTaking] = {}  # by source_ref; value in collected/direct_vnd
        # layout 3 (issue 7): the law's missing decisions and deadlines
        self.late_request: dict[str, str] | None = None  # the head's acceptance of a late request (Art. 30(3))
        self.registered_on: date | None = None  # moved to the separate register or request returned
        self.new_information_on: date | None = None  # new information on a debtor without conditions
        self.conditions_found_on: date | None = None  # a re-verification found conditions (head decides)
        self.creditor_notified_on: date | None = None  # written notice to the creditor after 2 checks
        self.delegated_from: str | None = None  # office that delegated the case here
        self.delegation_basis: Basis | None = None  # the basis of the case at the delegating office

    # -- identity and creation

    @staticmethod
    def create_id(unit_id: str, origin: str, intake_ref: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/thads/units/{unit_id}/{Origin(origin).value}s/{intake_ref}")

    @classmethod
    def receive_judgment(cls, unit_id: str, intake_ref: str, at: datetime, actor: Actor,
                         matter: Matter | str = Matter.ORDINARY, *, judgment_number: str, issuing_court: str,
                         judgment_effective_on: date | None = None,
                         channel: Channel | str = Channel.POST) -> Case:
        """Court judgment or decision received for ex officio enforcement (Art. 28, 36(2))."""
        cls._check_creation(unit_id, at, actor, judgment_number, issuing_court)
        matter = _parse(Matter, matter, "matter")
        channel = _parse(Channel, channel, "channel")
        return cls._create(cls.JudgmentReceived, id=cls.create_id(unit_id, Origin.JUDGMENT, intake_ref),
                           unit_id=unit_id, intake_ref=intake_ref, matter=matter.value, channel=channel.value,
                           judgment_number=judgment_number, issuing_court=issuing_court,
                           judgment_effective_on=_iso(judgment_effective_on), at=at,
                           actor_id=actor.id, actor_role=actor.role.value)

    @classmethod
    def receive_request(cls, unit_id: str, intake_ref: str, channel: Channel | str, at: datetime,
                        actor: Actor, filed_on: date | None = None, *, judgment_number: str,
                        issuing_court: str, judgment_effective_on: date | None = None) -> Case:
        """Creditor's or debtor's request (Art. 31); filed_on is the submission or postmark date."""
        cls._check_creation(unit_id, at, actor, judgment_number, issuing_court)
        channel = _parse(Channel, channel, "channel")
        filed_on = filed_on or business_date(at)
        if filed_on > business_date(at):
            raise InvalidValueError(f"filed_on {filed_on} is after the request was received")
        return cls._create(cls.RequestReceived, id=cls.create_id(unit_id, Origin.REQUEST, intake_ref),
                           unit_id=unit_id, intake_ref=intake_ref, channel=channel.value,
                           filed_on=filed_on.isoformat(), judgment_number=judgment_number,
                           issuing_court=issuing_court, judgment_effective_on=_iso(judgment_effective_on),
                           at=at, actor_id=actor.id, actor_role=actor.role.value)

    @classmethod
    def receive_delegation(cls, unit_id: str, intake_ref: str, at: datetime, actor: Actor, *,
                           from_unit_id: str, delegation_decision_no: str, basis: Basis | str,
                           judgment_number: str, issuing_court: str, judgment_effective_on: date | None = None,
                           matter: Matter | str = Matter.ORDINARY) -> Case:
        """A case delegated here by another office (ủy thác, Art. 57 as amended 2022): registered with
        origin "delegation"; this office must issue its own QĐTHA within 5 WD (same basis)."""
        cls._check_creation(unit_id, at, actor, judgment_number, issuing_court)
        matter = _parse(Matter, matter, "matter")
        basis = _parse(Basis, basis, "basis")
        _office_code(from_unit_id, "delegating unit id")
        if from_unit_id == unit_id:
            raise InvalidValueError("a case is received by delegation from another THADS unit")
        _text(delegation_decision_no, "delegation decision number", 64)
        return cls._create(cls.DelegationReceived, id=cls.create_id(unit_id, Origin.DELEGATION, intake_ref),
                           unit_id=unit_id, intake_ref=intake_ref, matter=matter.value, from_unit_id=from_unit_id,
                           delegation_decision_no=delegation_decision_no, basis=basis.value,
                           judgment_number=judgment_number, issuing_court=issuing_court,
                           judgment_effective_on=_iso(judgment_effective_on), at=at,
                           actor_id=actor.id, actor_role=actor.role.value)

    @staticmethod
    def _check_creation(unit_id: str, at: datetime, actor: Actor, judgment_number: str,
                        issuing_court: str) -> None:
        if actor.role not in CREATION_ROLES:
            raise ActorNotPermittedError(f"role {actor.role} may not register incoming cases")
        if at.tzinfo is None or at.utcoffset() is None:
            raise NaiveDatetimeError("business time `at` must be timezone-aware")
        _office_code(unit_id)
        _text(judgment_number, "judgment_number (the judgment or decision enforced)", 64)
        _text(issuing_court, "issuing_court", 2000)

    # -- common guards

    def _guard(self, command: str, at: datetime, actor: Actor, rule_name: str | None = None) -> date:
        """Status, role and time guards shared by all commands; returns the business date.

        rule_name: the TRANSITIONS entry, when it is not named like the command (collect_money)."""
        t = TRANSITIONS[rule_name or command]
        if self.status not in t.allowed_from:
            raise self._transition_error(rule_name or command, at, command)
        if actor.role not in t.roles:
            raise ActorNotPermittedError(
                f"{command} needs one of {sorted(r.value for r in t.roles)}, not {actor.role.value}",
                rule=f"role.{rule_name or command}", legal_basis=self._basis_of(t.topic, at),
                message_vi=f"Vai trò «{ROLE_LABELS_VI.get(actor.role, actor.role.value)}» không có thẩm quyền "
                           f"{COMMAND_LABELS_VI.get(rule_name or command, command)}; cần: "
                           f"{', '.join(ROLE_LABELS_VI.get(r, r.value) for r in sorted(t.roles))}.")
        if at.tzinfo is None or at.utcoffset() is None:
            raise NaiveDatetimeError("business time `at` must be timezone-aware")
        if at < self.last_at:
            raise BackdatedEventError(
                f"{command} at {at.isoformat()} is dated before the step it follows ({self.last_at.isoformat()})")
        return business_date(at)

    def _basis_of(self, topic: str, at: datetime) -> str:
        on = business_date(at) if at.tzinfo is not None else self.received_on
        return legal_reference(topic, on)

    def _transition_error(self, rule_name: str, at: datetime, command: str, why: str = "",
                          why_vi: str = "") -> InvalidTransitionError:
        """The command is not allowed now: its TRANSITIONS rule, legal basis and a Vietnamese sentence."""
        t = TRANSITIONS[rule_name]
        text = self._rule_text(rule_name, at, command) + (f"; {why}" if why else "")
        message_vi = (f"Không thể {COMMAND_LABELS_VI.get(rule_name, command)} khi việc thi hành án đang ở "
                      f"trạng thái «{STATUS_LABELS[self.status]}»" + (f": {why_vi}" if why_vi else "") + ".")
        return InvalidTransitionError(text, self.status, command, rule_name=rule_name,
                                      legal_basis=self._basis_of(t.topic, at), message_vi=message_vi)

    def _rule_text(self, rule_name: str, at: datetime, command: str) -> str:
        """The rule with its legal basis, named when the command has several (collect_money)."""
        t = TRANSITIONS[rule_name]
        on = business_date(at) if at.tzinfo is not None else self.received_on
        text = f"{t.rule} ({legal_reference(t.topic, on)})"
        return text if rule_name == command else f"{rule_name}: {text}"

    def _item(self, claim_item_id: str) -> ClaimItem:
        try:
            return self.items[claim_item_id]
        except KeyError:
            raise UnknownClaimItemError(f"claim item {claim_item_id!r} is not part of this case") from None

    def _new_decision(self, number: str) -> None:
        if not number:
            raise InvalidValueError("a decision number is required")
        _text(number, "decision number", 64)
        if number in self.decisions:
            raise DuplicateDecisionError(f"decision {number!r} is already recorded on this case")

    @staticmethod
    def _known_on(known_on: date | None, day: date) -> date:
        known_on = known_on or day
        if known_on > day:
            raise InvalidValueError(f"the ground cannot become known ({known_on}) after the decision ({day})")
        return known_on

    def _stamp(self, at: datetime) -> date:
        self.last_at = at
        return business_date(at)

    def _move(self, status: Status, at: datetime) -> date:
        self.status = status
        return self._stamp(at)

    def _decision(self, number: str, kind: str, on: date) -> None:
        self.decisions[number] = Decision(number, kind, on)

    # -- intake and decision

    def refuse_request(self, ground: RefusalGround | str, at: datetime, actor: Actor) -> None:
        day = self._guard("refuse_request", at, actor)
        ground = _ground(RefusalGround, ground, "refusal", day)
        expires = self.limitation_expires_on
        if ground is RefusalGround.LIMITATION_EXPIRED and expires is not None and not self.limitation_expired:
            raise LimitationNotExpiredGroundError(
                f"the limitation period has not expired: the request was filed on {self.filed_on}, the 5 years "
                f"from the judgment's effect on {self.judgment_effective_on} run until {expires} "
                f"({limitation_basis(day)})", rule="limitation.not_expired", legal_basis=limitation_basis(day),
                message_vi=f"Chưa hết thời hiệu yêu cầu thi hành án: đơn nộp ngày {vn_date(self.filed_on)}, "
                           f"thời hiệu 5 năm kể từ ngày bản án có hiệu lực ({vn_date(self.judgment_effective_on)}) "
                           f"kéo dài đến ngày {vn_date(expires)}.")
        self._request_refused(ground=ground.value, at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("RequestRefused")
    def _request_refused(self, ground: str, at: datetime, actor_id: str, actor_role: str) -> None:
        self.ground = ground
        self.refused_on = self._move(Status.REJECTED, at)

    def decide_enforcement(self, decision_no: str, basis: Basis | str, at: datetime, actor: Actor) -> None:
        day = self._guard("decide_enforcement", at, actor)
        basis = _parse(Basis, basis, "basis")
        expected = {Origin.JUDGMENT: Basis.EX_OFFICIO, Origin.REQUEST: Basis.ON_REQUEST}.get(
            self.origin, self.delegation_basis or Basis.EX_OFFICIO)
        if basis is not expected:
            raise BasisMismatchError(f"a case received as a {self.origin.value} is decided {expected.value} "
                                     f"({legal_reference('decision', day)})",
                                     legal_basis=legal_reference('decision', day))
        if self.limitation_expired and self.late_request is None:
            raise LimitationExpiredError(
                f"the request was filed on {self.filed_on}, after the limitation period ended on "
                f"{self.limitation_expires_on} (5 years from the judgment's effect or the items' due dates, "
                f"{limitation_basis(day)}); it is refused (ground limitation_expired, "
                f"{legal_reference('refusal', day)}), unless the head accepts it for force majeure or an "
                f"objective obstacle (accept_late_request, {legal_reference('late_request', day)})",
                legal_basis=limitation_basis(day),
                message_vi=f"Đơn yêu cầu nộp ngày {vn_date(self.filed_on)}, sau khi hết thời hiệu ngày "
                           f"{vn_date(self.limitation_expires_on)}: phải từ chối, trừ khi Thủ trưởng chấp nhận đơn "
                           f"quá hạn do sự kiện bất khả kháng hoặc trở ngại khách quan (có lý do).")
        self._new_decision(decision_no)
        amount = sum(i.to_enforce_vnd for i in self.items.values()) or None   # the amount on the decision
        self._enforcement_decided(decision_no=decision_no, basis=basis.value, at=at,
                                  actor_id=actor.id, actor_role=actor.role.value, amount_to_enforce_vnd=amount)

    @property
    def limitation_expires_on(self) -> date | None:
        """Last day on which a request for this judgment is in time (Art. 30(1)), or None.

        None when the period does not apply or cannot be computed:
        * a case received as a judgment (ex officio): the agency enforces it itself, no request is
          needed, so no limitation period binds it;
        * `judgment_effective_on` unknown: nothing is checked (neither the decision nor a refusal on
          the ground limitation_expired).
        The 5 years run from the day after the judgment took effect (Civil Code Art. 147) to the same
        day and month 5 years later; from 29/2 to 28/2 when that year has no 29/2 (as for months,
        Civil Code Art. 148) [GK]; a last day that is a weekend or holiday rolls forward to the next
        working day (Civil Code Art. 148(5)) [GK: general law applied to THADS periods, as for every
        other deadline here].
        Claim items with their own due date (instalments, maintenance) run their own 5 years
        (item_limitation_expires_on); the request is in time while any of them is. Time lost to force
        majeure or an objective obstacle (Art. 30(3)) is not computed: the head accepts such a late
        request with reasons (accept_late_request). Periods of
        postponement and suspension (Art. 30(2)) only exist once a case was decided, so they never
        move the limitation of a request being received.
        """
        if self.origin is not Origin.REQUEST:
            return None
        ends = [self.item_limitation_expires_on(i) for i in self.items.values() if i.due_on is not None]
        if self.judgment_effective_on is not None:
            ends.append(add_months(self.judgment_effective_on, 12 * LIMITATION_YEARS))
        return max((e for e in ends if e is not None), default=None)

    def item_limitation_expires_on(self, item: ClaimItem) -> date | None:
        """An item with its own due date (an instalment, a maintenance payment) has its own 5 years
        from that date (Art. 30(1)); otherwise the judgment's."""
        start = item.due_on or self.judgment_effective_on
        if self.origin is not Origin.REQUEST or start is None:
            return None
        return add_months(start, 12 * LIMITATION_YEARS)

    def accept_late_request(self, ground: LateRequestGround | str, reasons: str, at: datetime,
                            actor: Actor) -> None:
        """The head accepts a request filed after the limitation period because force majeure or an
        objective obstacle stopped the requester, with reasons (Art. 30(3); ND 62/2015 Art. 4):
        limitation is not a hard block. Only for a request that is late."""
        day = self._guard("accept_late_request", at, actor)
        ground = _ground(LateRequestGround, ground, "late_request", day)
        if not isinstance(reasons, str) or not reasons.strip():
            raise ReasonsRequiredError("the head's acceptance of a late request states its reasons",
                                       legal_basis=legal_reference("late_request", day),
                                       message_vi="Phải nêu lý do chấp nhận đơn yêu cầu quá hạn.")
        _text(reasons, "reasons", 2000)
        if not self.limitation_expired:
            raise LimitationNotExpiredError(
                f"the request is not late (limitation until {self.limitation_expires_on})",
                rule="limitation.not_expired", legal_basis=limitation_basis(day),
                message_vi=f"Đơn yêu cầu còn trong thời hiệu (đến ngày {vn_date(self.limitation_expires_on)}); "
                           f"không cần chấp nhận đơn quá hạn.")
        self._late_request_accepted(ground=ground.value, reasons=reasons, at=at, actor_id=actor.id,
                                    actor_role=actor.role.value)

    @event("LateRequestAccepted")
    def _late_request_accepted(self, ground: str, reasons: str, at: datetime, actor_id: str,
                               actor_role: str) -> None:
        self.late_request = {"ground": ground, "reasons": reasons, "on": self._stamp(at).isoformat()}

    @property
    def limitation_expired(self) -> bool:
        """True when the request was filed (submission or postmark, Art. 31) after the period ended."""
        expires = self.limitation_expires_on
        return expires is not None and self.filed_on is not None and self.filed_on > expires

    @event("EnforcementDecided")
    def _enforcement_decided(self, decision_no: str, basis: str, at: datetime, actor_id: str,
                             actor_role: str, amount_to_enforce_vnd: int | None = None) -> None:
        self.basis = Basis(basis)
        self.decided_on = self._move(Status.DECIDED, at)
        self._decision(decision_no, "enforcement", self.decided_on)

    def add_party(self, party_id: str, role: PartyRole | str, kind: PartyKind | str, at: datetime,
                  actor: Actor, bank_code: str | None = None) -> None:
        self._guard("add_party", at, actor)
        role, kind = _parse(PartyRole, role, "party role"), _parse(PartyKind, kind, "party kind")
        if party_id in self.parties:
            raise DuplicatePartyError(f"party {party_id!r} is already on this case")
        if (kind is PartyKind.CREDIT_INSTITUTION) != bool(bank_code):
            raise InvalidPartyError("a bank_code is given for credit institutions, and only for them")
        if bank_code and not BANK_CODE.match(bank_code):
            raise InvalidPartyError(f"bank_code {bank_code!r} must match {BANK_CODE.pattern}")
        self._party_added(party_id=party_id, role=role.value, kind=kind.value, bank_code=bank_code,
                          at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("PartyAdded")
    def _party_added(self, party_id: str, role: str, kind: str, bank_code: str | None, at: datetime,
                     actor_id: str, actor_role: str) -> None:
        self.parties[party_id] = Party(party_id, PartyRole(role), PartyKind(kind), bank_code)
        self._stamp(at)

    def add_claim_item(self, claim_item_id: str, kind: ClaimKind | str, amount_vnd: int,
                       creditor_party_id: str, at: datetime, actor: Actor, secured: bool = False,
                       ex_officio: bool = False, due_on: date | None = None) -> None:
        """`due_on`: the item's own due date (an instalment, a maintenance payment), from which its
        own 5-year limitation runs (Art. 30(1)); an item already time-barred when the request was
        filed is refused unless the head accepted the late request."""
        day = self._guard("add_claim_item", at, actor)
        kind = _parse(ClaimKind, kind, "claim kind")
        _positive(amount_vnd)
        if claim_item_id in self.items:
            raise DuplicateClaimItemError(f"claim item {claim_item_id!r} is already on this case")
        party = self.parties.get(creditor_party_id)
        if party is None or party.role is not PartyRole.CREDITOR:
            raise UnknownPartyError(f"{creditor_party_id!r} is not a creditor of this case")
        if due_on is not None:
            probe = ClaimItem(claim_item_id, kind, amount_vnd, creditor_party_id, secured, ex_officio, due_on=due_on)
            expires = self.item_limitation_expires_on(probe)
            if expires is not None and self.filed_on is not None and self.filed_on > expires \
                    and self.late_request is None:
                raise LimitationExpiredError(
                    f"claim item {claim_item_id} fell due on {due_on}; its 5 years ended on {expires}, before the "
                    f"request was filed on {self.filed_on} ({limitation_basis(day)})",
                    legal_basis=limitation_basis(day),
                    message_vi=f"Khoản {claim_item_id} đến hạn ngày {vn_date(due_on)} đã hết thời hiệu ngày "
                               f"{vn_date(expires)}, trước ngày nộp đơn {vn_date(self.filed_on)}.")
        self._claim_item_added(claim_item_id=claim_item_id, kind=kind.value, amount_vnd=amount_vnd,
                               creditor_party_id=creditor_party_id, secured=secured, ex_officio=ex_officio,
                               at=at, actor_id=actor.id, actor_role=actor.role.value, due_on=_iso(due_on))

    @event("ClaimItemAdded")
    def _claim_item_added(self, claim_item_id: str, kind: str, amount_vnd: int, creditor_party_id: str,
                          secured: bool, ex_officio: bool, at: datetime, actor_id: str, actor_role: str,
                          due_on: str | None = None) -> None:
        self.items[claim_item_id] = ClaimItem(claim_item_id, ClaimKind(kind), amount_vnd, creditor_party_id,
                                              secured, ex_officio, due_on=_from_iso(due_on))
        self._stamp(at)

    def assign_officer(self, officer_id: str, at: datetime, actor: Actor) -> None:
        self._guard("assign_officer", at, actor)
        _token(officer_id, "officer id", 128)
        if self.officer_id is not None:
            raise OfficerAlreadyAssignedError(f"officer {self.officer_id} is assigned; use reassign_officer")
        self._officer_assigned(officer_id=officer_id, at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("OfficerAssigned")
    def _officer_assigned(self, officer_id: str, at: datetime, actor_id: str, actor_role: str) -> None:
        self.officer_id = officer_id
        self._stamp(at)

    def reassign_officer(self, officer_id: str, at: datetime, actor: Actor, reason: str = "") -> None:
        self._guard("reassign_officer", at, actor)
        if self.officer_id is None:
            raise OfficerNotAssignedError("no officer is assigned yet; use assign_officer")
        _token(officer_id, "officer id", 128)
        if officer_id == self.officer_id:
            raise InvalidValueError(f"officer {officer_id} is already assigned")
        self._officer_reassigned(officer_id=officer_id, previous_officer_id=self.officer_id, reason=reason,
                                 at=at, actor_id=actor.id, actor_role=actor.role.value)

    reassign = reassign_officer

    @event("OfficerReassigned")
    def _officer_reassigned(self, officer_id: str, previous_officer_id: str, reason: str, at: datetime,
                            actor_id: str, actor_role: str) -> None:
        self.officer_id = officer_id
        self._stamp(at)

    def _issued_decision(self, decision_no: str) -> Any:
        decision = self.decisions.get(decision_no)
        if decision is None:
            raise UnknownDecisionError(f"decision {decision_no!r} was not issued on this case")
        return decision

    @staticmethod
    def _ensure_sent_between(decision: Any, sent_on: date, day: date, what: str) -> None:
        """A copy or notice of a decision is sent on or after its issue and not after today."""
        if sent_on < decision.issued_on:
            raise BackdatedEventError(f"{what} cannot be sent ({sent_on}) before the decision ({decision.issued_on})")
        if sent_on > day:
            raise InvalidValueError(f"sent_on {sent_on} is after the recording date {day}")

    def record_procuracy_copy(self, decision_no: str, sent_on: date, at: datetime, actor: Actor) -> None:
        day = self._guard("record_procuracy_copy", at, actor)
        decision = self._issued_decision(decision_no)
        if decision.copy_sent_on is not None:
            raise ProcuracyCopyAlreadyRecordedError(f"the copy of {decision_no} was sent on {decision.copy_sent_on}")
        self._ensure_sent_between(decision, sent_on, day, "a copy")
        self._procuracy_copy_recorded(decision_no=decision_no, sent_on=sent_on.isoformat(), at=at,
                                      actor_id=actor.id, actor_role=actor.role.value)

    @event("ProcuracyCopyRecorded")
    def _procuracy_copy_recorded(self, decision_no: str, sent_on: str, at: datetime, actor_id: str,
                                 actor_role: str) -> None:
        self.decisions[decision_no].copy_sent_on = date.fromisoformat(sent_on)
        self._stamp(at)

    def record_notice_to_parties(self, decision_no: str, sent_on: date, at: datetime, actor: Actor) -> None:
        """Every decision is notified to the parties within 3 WD of its issue (Art. 39(2)); the
        notice of the QĐTHA itself is `notify`."""
        day = self._guard("record_notice_to_parties", at, actor)
        decision = self._issued_decision(decision_no)
        if decision.parties_notified_on is not None:
            raise InvalidValueError(f"the notice of {decision_no} was sent on {decision.parties_notified_on}",
                                    rule="notice_to_parties.already_recorded",
                                    message_vi=f"Việc thông báo quyết định {decision_no} đã được ghi nhận.")
        self._ensure_sent_between(decision, sent_on, day, "a notice")
        self._notice_to_parties_recorded(decision_no=decision_no, sent_on=sent_on.isoformat(), at=at,
                                         actor_id=actor.id, actor_role=actor.role.value)

    @event("NoticeToPartiesRecorded")
    def _notice_to_parties_recorded(self, decision_no: str, sent_on: str, at: datetime, actor_id: str,
                                    actor_role: str) -> None:
        self.decisions[decision_no].parties_notified_on = date.fromisoformat(sent_on)
        self._stamp(at)

    # -- voluntary period and verification

    def notify(self, at: datetime, actor: Actor) -> None:
        """Valid notice of the QĐTHA: the 10-day voluntary period starts (Art. 45(1))."""
        self._guard("notify", at, actor)
        self._debtor_notified(at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("DebtorNotified")
    def _debtor_notified(self, at: datetime, actor_id: str, actor_role: str) -> None:
        self.notified_on = self._move(Status.VOLUNTARY, at)
        for d in self.decisions.values():  # the notice of the QĐTHA is its notice to the parties (Art. 39(2))
            if d.kind == "enforcement" and d.parties_notified_on is None:
                d.parties_notified_on = self.notified_on

    @property
    def voluntary_period_ends_on(self) -> date | None:
        return due_date(Step.VOLUNTARY_PERIOD, self.notified_on) if self.notified_on else None

    def record_voluntary_payment(self, claim_item_id: str, amount_vnd: int, source_ref: str, at: datetime,
                                 actor: Actor, direct_to_creditor: bool = False) -> None:
        self._guard("record_voluntary_payment", at, actor)
        if self._is_redelivery(source_ref, claim_item_id, amount_vnd, CollectionChannel.VOLUNTARY):
            return
        self._check_collectable(claim_item_id, amount_vnd, direct_to_creditor)
        self._voluntary_payment_recorded(claim_item_id=claim_item_id, amount_vnd=amount_vnd,
                                         source_ref=source_ref, direct_to_creditor=direct_to_creditor,
                                         at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("VoluntaryPaymentRecorded")
    def _voluntary_payment_recorded(self, claim_item_id: str, amount_vnd: int, source_ref: str,
                                    direct_to_creditor: bool, at: datetime, actor_id: str, actor_role: str) -> None:
        self._book_collection(source_ref, claim_item_id, amount_vnd, CollectionChannel.VOLUNTARY,
                              not direct_to_creditor, self._stamp(at))

    def start_verification(self, at: datetime, actor: Actor) -> None:
        day = self._guard("start_verification", at, actor)
        ends = self.voluntary_period_ends_on
        if self.matter is not Matter.PROVISIONAL_MEASURE and ends is not None and day <= ends:
            raise VoluntaryPeriodRunningError(
                f"the voluntary period runs until {ends} ({legal_reference('voluntary', day)})",
                legal_basis=legal_reference('voluntary', day),
                message_vi=f"Thời hạn tự nguyện thi hành án còn đến hết ngày {vn_date(ends)}; chưa được "
                           f"tiến hành xác minh điều kiện thi hành án.")
        if self.items and self.uncollected_vnd == 0:
            raise NothingOutstandingError("every claim item is paid; complete the case instead")
        self._verification_started(at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("VerificationStarted")
    def _verification_started(self, at: datetime, actor_id: str, actor_role: str) -> None:
        self.verification_started_on = self._move(Status.VERIFYING, at)

    def record_verification(self, outcome: VerificationOutcome | str, at: datetime, actor: Actor,
                            ground: NoConditionGround | str | None = None, decision_no: str | None = None,
                            ground_known_on: date | None = None,
                            imprisoned_two_years_or_more: bool = False) -> None:
        """With conditions → ENFORCING; without → the head's no-condition decision (Art. 44a)."""
        day = self._guard("record_verification", at, actor)
        outcome = _parse(VerificationOutcome, outcome, "verification outcome")
        if outcome is VerificationOutcome.WITH_CONDITIONS:
            if actor.role is not Role.OFFICER:
                raise ActorNotPermittedError("the verification minutes are the officer's (Art. 44(4))",
                                             rule="verification.officer_only", legal_basis="Art. 44(4) Luật THADS 2008",
                                             message_vi="Biên bản xác minh do Chấp hành viên lập.")
            self._verification_recorded(outcome=outcome.value, ground=None, decision_no=None, known_on=None,
                                        long_reverification=False, at=at, actor_id=actor.id,
                                        actor_role=actor.role.value)
            return
        if actor.role not in LEADERS:
            raise ActorNotPermittedError(
                f"the no-condition decision is the head's ({legal_reference('no_condition', day)})",
                rule="no_condition.head_decides", legal_basis=legal_reference('no_condition', day),
                message_vi="Quyết định về việc chưa có điều kiện thi hành án do Thủ trưởng cơ quan thi hành án ban hành.")
        ground = _ground(NoConditionGround, ground, "no_condition", day)
        self._new_decision(decision_no or "")
        long_ = imprisoned_two_years_or_more or ground is NoConditionGround.ADDRESS_UNKNOWN
        self._verification_recorded(outcome=outcome.value, ground=ground.value, decision_no=decision_no,
                                    known_on=self._known_on(ground_known_on, day).isoformat(),
                                    long_reverification=long_, at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("VerificationRecorded")
    def _verification_recorded(self, outcome: str, ground: str | None, decision_no: str | None,
                               known_on: str | None, long_reverification: bool, at: datetime, actor_id: str,
                               actor_role: str) -> None:
        if outcome == VerificationOutcome.WITH_CONDITIONS:
            self._move(Status.ENFORCING, at)
            return
        day = self._move(Status.NO_CONDITION, at)
        self.ground, self.no_condition_on, self.long_reverification = ground, day, long_reverification
        self.checks = []
        self._decision(decision_no or "", "no_condition", day)
        self.timeline.append((Step.NO_CONDITION_DECISION, date.fromisoformat(known_on or day.isoformat()), day))

    def reverify(self, found_conditions: bool, at: datetime, actor: Actor,
                 imprisoned_two_years_or_more: bool | None = None) -> None:
        """Periodic check of a debtor without conditions (Art. 44(2)). Conditions found are recorded
        (ConditionsFound) but the case stays without conditions until the head's continuation decision
        (continue_from_no_condition, Art. 44(2); ND 62/2015 Art. 9(4)): the officer alone cannot
        leave NO_CONDITION."""
        self._guard("reverify", at, actor)
        long_ = self.long_reverification if imprisoned_two_years_or_more is None else (
            imprisoned_two_years_or_more or self.ground == NoConditionGround.ADDRESS_UNKNOWN)
        if found_conditions:
            self._conditions_found(long_reverification=long_, at=at, actor_id=actor.id, actor_role=actor.role.value)
            return
        self._reverified(found_conditions=False, long_reverification=long_, at=at,
                         actor_id=actor.id, actor_role=actor.role.value)

    def _count_check(self, at: datetime) -> None:
        """A re-verification of a debtor without conditions: the periodic check, and the verification
        that new information asked for."""
        day = business_date(at)
        if self.status is Status.NO_CONDITION:
            previous = self.checks[-1] if self.checks else self.no_condition_on
            step = Step.REVERIFICATION_LONG if self.long_reverification else Step.REVERIFICATION
            self.checks.append(day)
            self.timeline.append((step, previous or day, day))
        if self.new_information_on is not None:
            self.timeline.append((Step.VERIFICATION_AFTER_NEW_INFORMATION, self.new_information_on, day))
            self.new_information_on = None

    @event("ConditionsFound")
    def _conditions_found(self, long_reverification: bool, at: datetime, actor_id: str, actor_role: str) -> None:
        self._count_check(at)
        self.long_reverification = long_reverification
        self.conditions_found_on = self._stamp(at)

    def record_new_information(self, received_on: date, at: datetime, actor: Actor) -> None:
        """New information on the debtor's conditions: it is verified within 10 days (Art. 44(2);
        ND 62/2015 Art. 9(4)); the next re-verification meets that deadline."""
        day = self._guard("record_new_information", at, actor)
        if received_on > day:
            raise InvalidValueError(f"received_on {received_on} is after the recording date {day}")
        self._new_information_recorded(received_on=received_on.isoformat(), at=at, actor_id=actor.id,
                                       actor_role=actor.role.value)

    @event("NewInformationRecorded")
    def _new_information_recorded(self, received_on: str, at: datetime, actor_id: str, actor_role: str) -> None:
        if self.new_information_on is None:
            self.new_information_on = date.fromisoformat(received_on)
        self._stamp(at)

    def record_creditor_notice(self, sent_on: date, at: datetime, actor: Actor) -> None:
        """After two re-verifications without result the creditor is told in writing (Art. 44(2))."""
        day = self._guard("record_creditor_notice", at, actor)
        if len(self.checks) < 2:
            raise InvalidValueError(
                f"the creditor is told after two re-verifications; {len(self.checks)} so far",
                rule="creditor_notice.before_two_checks", legal_basis=legal_reference("reverification", day),
                message_vi=f"Chỉ thông báo cho người được thi hành án sau hai lần xác minh; mới có "
                           f"{len(self.checks)} lần.")
        if sent_on > day or sent_on < self.checks[1]:
            raise InvalidValueError(f"sent_on {sent_on} must lie between the second check ({self.checks[1]}) and {day}")
        self._creditor_notice_recorded(sent_on=sent_on.isoformat(), at=at, actor_id=actor.id,
                                       actor_role=actor.role.value)

    @event("CreditorNoticeRecorded")
    def _creditor_notice_recorded(self, sent_on: str, at: datetime, actor_id: str, actor_role: str) -> None:
        self.creditor_notified_on = date.fromisoformat(sent_on)
        self._stamp(at)

    def continue_from_no_condition(self, decision_no: str, at: datetime, actor: Actor) -> None:
        """The head's continuation decision (QĐ tiếp tục thi hành án) for a debtor without conditions
        whose conditions were found or on new information: back to ENFORCING. It is a decision: its
        copy goes to the procuracy within 3 WD and its notice to the parties (Art. 44(2); ND 62/2015
        Art. 9(4))."""
        self._guard("continue_from_no_condition", at, actor)
        self._new_decision(decision_no)
        self._continued_from_no_condition(decision_no=decision_no, at=at, actor_id=actor.id,
                                          actor_role=actor.role.value)

    @event("ContinuedFromNoCondition")
    def _continued_from_no_condition(self, decision_no: str, at: datetime, actor_id: str, actor_role: str) -> None:
        day = business_date(at)
        if self.new_information_on is not None:
            self.timeline.append((Step.VERIFICATION_AFTER_NEW_INFORMATION, self.new_information_on, day))
            self.new_information_on = None
        self.conditions_found_on = None
        self._decision(decision_no, "continuation", self._move(Status.ENFORCING, at))

    @event("Reverified")
    def _reverified(self, found_conditions: bool, long_reverification: bool, at: datetime, actor_id: str,
                    actor_role: str) -> None:
        # found_conditions=True only in histories recorded before the head's continuation decision was
        # required (issue 7): those cases moved to ENFORCING at once, and replay the same.
        self._count_check(at)
        self.long_reverification = long_reverification
        if found_conditions:
            self._move(Status.ENFORCING, at)
        else:
            self._stamp(at)

    def _check_waiting_period(self, day: date) -> None:
        rule = separate_register_rule(day, long_case=self.long_reverification)
        since = self.no_condition_on or day
        ready_on = add_months(since, 12 * rule.waiting_years, roll_forward=False)
        if day < ready_on or len(self.checks) < rule.min_checks:
            raise SeparateRegisterNotDueError(
                f"needs {rule.waiting_years} year(s) since the no-condition decision of {since} (until {ready_on}) "
                f"and ≥ {rule.min_checks} re-verifications (has {len(self.checks)}) ({rule.legal_basis})",
                legal_basis=rule.legal_basis,
                message_vi=f"Chưa đủ điều kiện chuyển sổ theo dõi riêng: cần {rule.waiting_years} năm kể từ quyết định "
                           f"chưa có điều kiện ngày {vn_date(since)} (đến ngày {vn_date(ready_on)}) và ít nhất "
                           f"{rule.min_checks} lần xác minh lại (mới có {len(self.checks)}).")

    def move_to_separate_register(self, at: datetime, actor: Actor) -> None:
        day = self._guard("move_to_separate_register", at, actor)
        if day >= LAW_2025_IN_FORCE and self.basis is Basis.ON_REQUEST:
            raise ReturnNotApplicableError(
                f"from {LAW_2025_IN_FORCE} an on-request case is sent back, not registered "
                f"({legal_reference('return_request', day)}); use return_request",
                legal_basis=legal_reference('return_request', day))
        self._check_waiting_period(day)
        self._moved_to_separate_register(at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("MovedToSeparateRegister")
    def _moved_to_separate_register(self, at: datetime, actor_id: str, actor_role: str) -> None:
        self.registered_on = self._move(Status.SEPARATE_REGISTER, at)

    def return_request(self, at: datetime, actor: Actor) -> None:
        """2026: an on-request case without conditions for 2 years goes back to the requester."""
        day = self._guard("return_request", at, actor)
        if day < LAW_2025_IN_FORCE:
            raise RuleNotInForceError(f"returning requests applies from {LAW_2025_IN_FORCE} "
                                      f"({legal_reference('return_request', day)})",
                                      legal_basis=legal_reference('return_request', day),
                                      message_vi=f"Việc gửi lại yêu cầu thi hành án áp dụng từ ngày "
                                                 f"{vn_date(LAW_2025_IN_FORCE)}.")
        if self.basis is not Basis.ON_REQUEST:
            raise ReturnNotApplicableError(
                f"an ex officio case goes to the separate register ({legal_reference('separate_register', day)})",
                legal_basis=legal_reference('separate_register', day))
        self._check_waiting_period(day)
        self._request_returned(at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("RequestReturned")
    def _request_returned(self, at: datetime, actor_id: str, actor_role: str) -> None:
        self.registered_on = self._move(Status.RETURNED, at)

    def separate_register_due(self) -> date | None:
        """The day the separate register's conditions are met (waiting time and ≥ 2 checks, ND 62/2015
        Art. 9(5)); the move is due within 3 WD of it. None while they are not met."""
        if self.no_condition_on is None:
            return None
        on = self.no_condition_on
        for _ in range(2):  # the rule in force when the waiting time ends (1 or 2 years until 30/6/2026, then 2)
            rule = separate_register_rule(on, long_case=self.long_reverification)
            ready_on = add_months(self.no_condition_on, 12 * rule.waiting_years, roll_forward=False)
            on = max(on, ready_on)
        if len(self.checks) < rule.min_checks:
            return None
        return max(ready_on, self.checks[rule.min_checks - 1])

    # -- measures

    def apply_security_measure(self, measure: SecurityMeasure | str, decision_no: str, at: datetime,
                               actor: Actor) -> None:
        """Account freeze, holding assets or documents, registration block (Art. 66; Art. 45(2))."""
        self._guard("apply_security_measure", at, actor)
        measure = _parse(SecurityMeasure, measure, "security measure")
        self._new_decision(decision_no)
        self._security_measure_applied(measure=measure.value, decision_no=decision_no, at=at,
                                       actor_id=actor.id, actor_role=actor.role.value)

    @event("SecurityMeasureApplied")
    def _security_measure_applied(self, measure: str, decision_no: str, at: datetime, actor_id: str,
                                  actor_role: str) -> None:
        self.measures.append({"measure": measure, "decision_no": decision_no, "at": at})
        self._decision(decision_no, f"security:{measure}", self._stamp(at))

    def _check_field_time(self, at: datetime, day: date) -> None:
        local = at.astimezone(VN_TZ)
        if not is_working_day(day) or not 6 <= local.hour < 22:
            raise ForbiddenCoercionTimeError(
                f"no coercion between 22:00 and 06:00 or on days off; {local.isoformat()} "
                f"({legal_reference('coercion_time', day)})", legal_basis=legal_reference('coercion_time', day))

    def apply_coercive_measure(self, measure: CoerciveMeasure | str, decision_no: str, at: datetime,
                               actor: Actor) -> None:
        day = self._guard("apply_coercive_measure", at, actor)
        measure = _parse(CoerciveMeasure, measure, "coercive measure")
        if measure in FIELD_MEASURES:
            self._check_field_time(at, day)
        self._new_decision(decision_no)
        self._coercive_measure_applied(measure=measure.value, decision_no=decision_no, at=at,
                                       actor_id=actor.id, actor_role=actor.role.value)

    @event("CoerciveMeasureApplied")
    def _coercive_measure_applied(self, measure: str, decision_no: str, at: datetime, actor_id: str,
                                  actor_role: str) -> None:
        self.measures.append({"measure": measure, "decision_no": decision_no, "at": at})
        self._decision(decision_no, f"coercion:{measure}", self._stamp(at))

    def order_seizure(self, decision_no: str, asset_description: str, claim_item_ids: list[str],
                      at: datetime, actor: Actor, *, asset_kind: AssetKind | str,
                      secured_creditor_party_id: str | None = None) -> None:
        """Seizure (kê biên) of an asset for the given claim items (Art. 71(2)).

        Auction proceeds are later booked on the first claim item listed; if that item is secured
        they count as its collateral's proceeds (Art. 47(3)), so list the secured item first.
        `secured_creditor_party_id` names the mortgagee/pledgee when the asset is collateral: it must
        be the creditor of a secured claim item of this seizure (rule seizure.secured_creditor); the
        auctions service then pays it first from the proceeds.
        """
        day = self._guard("order_seizure", at, actor)
        self._check_field_time(at, day)
        asset_kind = _parse(AssetKind, asset_kind, "asset kind")
        if not asset_description:
            raise InvalidValueError("the seized asset must be described")
        _text(asset_description, "asset description", 2000)
        if not claim_item_ids:
            raise InvalidValueError("a seizure secures at least one claim item")
        items = [self._item(claim_item_id) for claim_item_id in claim_item_ids]
        if secured_creditor_party_id is not None and not any(
                i.secured and i.creditor_party_id == secured_creditor_party_id for i in items):
            raise InvalidValueError(
                f"party {secured_creditor_party_id!r} is not the creditor of a secured claim item of this seizure",
                rule="seizure.secured_creditor", legal_basis="Luật THADS Điều 47(3), 90",
                message_vi="Người nhận thế chấp, cầm cố phải là người được thi hành án của một khoản có bảo đảm "
                           "trong quyết định kê biên này.")
        self._new_decision(decision_no)
        extra = {"secured_creditor_party_id": secured_creditor_party_id} if secured_creditor_party_id else {}
        self._seizure_ordered(decision_no=decision_no, asset_kind=asset_kind.value,
                              asset_description=asset_description, claim_item_ids=list(claim_item_ids),
                              at=at, actor_id=actor.id, actor_role=actor.role.value, **extra)

    @event("SeizureOrdered")
    def _seizure_ordered(self, decision_no: str, asset_kind: str, asset_description: str,
                         claim_item_ids: list[str], at: datetime, actor_id: str, actor_role: str,
                         secured_creditor_party_id: str | None = None) -> None:
        self.measures.append({"measure": "seizure", "decision_no": decision_no, "at": at, "asset_kind": asset_kind,
                              "asset_description": asset_description, "claim_item_ids": list(claim_item_ids)})
        self._decision(decision_no, "coercion:seizure", self._stamp(at))

    # -- money

    def _is_redelivery(self, source_ref: str, claim_item_id: str, amount_vnd: int,
                       channel: CollectionChannel) -> bool:
        if not source_ref:
            raise InvalidValueError("source_ref is required so that redelivery is idempotent")
        seen = self.collections.get(source_ref)
        if seen is None:
            return False
        if (seen.claim_item_id, seen.amount_vnd, seen.channel) != (claim_item_id, amount_vnd, channel):
            raise ConflictingSourceRefError(f"source_ref {source_ref!r} was already booked with other values")
        return True

    @property
    def uncollected_vnd(self) -> int:
        """What the debtor still owes on the case; collections are capped by it."""
        return sum(i.uncollected_vnd for i in self.items.values())

    def _check_collectable(self, claim_item_id: str, amount_vnd: int, direct: bool) -> None:
        _positive(amount_vnd)
        item = self._item(claim_item_id)
        if amount_vnd > self.uncollected_vnd:
            raise AmountExceedsOutstandingError(
                f"{amount_vnd} VND exceeds the {self.uncollected_vnd} VND the debtor still owes on the case")
        if direct and amount_vnd > item.outstanding_vnd:
            raise AmountExceedsOutstandingError(
                f"{amount_vnd} VND paid to the creditor exceeds the {item.outstanding_vnd} VND "
                f"outstanding on {claim_item_id}")

    def collect_money(self, claim_item_id: str, amount_vnd: int, channel: CollectionChannel | str,
                      source_ref: str, at: datetime, actor: Actor) -> None:
        """Money received for a claim item; a redelivered source_ref is ignored.

        Where it is accepted depends on the channel (COLLECTION_RULES): a repayment straight to the
        bank at any stage after the notice; auction proceeds and deductions also after a pause; money
        held by the agency while paused waits for the continuation, which settles the status."""
        channel = _parse(CollectionChannel, channel, "collection channel")
        rule_name = COLLECTION_RULES[channel]
        self._guard("collect_money", at, actor, rule_name)
        if channel is not CollectionChannel.PAID_TO_BANK and self.status is Status.POSTPONED \
                and self.previous_status not in (Status.ENFORCING, Status.MONEY_HELD):
            # Nothing was sold or deducted before a postponement of a case without conditions: money
            # held here could never be paid out (no disbursement outside ENFORCING/MONEY_HELD).
            raise self._transition_error(
                rule_name, at, "collect_money", f"this case was postponed while {self.previous_status}",
                f"việc bị hoãn khi đang ở trạng thái «{STATUS_LABELS[self.previous_status or Status.NO_CONDITION]}»")
        if self._is_redelivery(source_ref, claim_item_id, amount_vnd, channel):
            return
        self._check_collectable(claim_item_id, amount_vnd, channel is CollectionChannel.PAID_TO_BANK)
        creditor = self.parties[self.items[claim_item_id].creditor_party_id]
        if channel is CollectionChannel.PAID_TO_BANK and creditor.kind is not PartyKind.CREDIT_INSTITUTION:
            raise InvalidChannelError(f"paid_to_bank needs a credit-institution creditor, not {creditor.kind.value}")
        self._money_collected(claim_item_id=claim_item_id, amount_vnd=amount_vnd, channel=channel.value,
                              source_ref=source_ref, at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("MoneyCollected")
    def _money_collected(self, claim_item_id: str, amount_vnd: int, channel: str, source_ref: str,
                         at: datetime, actor_id: str, actor_role: str) -> None:
        pooled = channel != CollectionChannel.PAID_TO_BANK
        self._book_collection(source_ref, claim_item_id, amount_vnd, CollectionChannel(channel), pooled,
                              self._stamp(at))
        self._settle_money_status()

    def _book_collection(self, source_ref: str, claim_item_id: str, amount_vnd: int,
                         channel: CollectionChannel, pooled: bool, on: date) -> None:
        item = self.items[claim_item_id]
        item.collected_vnd += amount_vnd
        if not pooled:
            item.direct_vnd += amount_vnd
        elif channel is CollectionChannel.AUCTION_PROCEEDS and item.secured:
            item.collateral_vnd += amount_vnd
        self.collections[source_ref] = Collection(source_ref, claim_item_id, amount_vnd, channel, on, pooled)

    def record_asset_taken_in_kind(self, claim_item_id: str, value_vnd: int, source_ref: str, at: datetime,
                                   actor: Actor) -> None:
        """The creditor took the seized asset against the claim item's debt (Art. 104(3), from the 2nd
        price cut). `value_vnd` is booked as performed in kind: like a repayment straight to the
        creditor it reduces what is owed and can settle the item, but is never held nor disbursed.
        A redelivered source_ref is ignored; one booked with other values is refused.

        The value may not exceed what is outstanding on the item, nor what the debtor still owes on the
        case: an asset worth more is taken only if the creditor pays the excess (Art. 104(3)); that
        payment is the creditor's, not the judgment's money, and is not modelled here — book the
        outstanding amount and record the excess outside the case. Whether the debtor paid within
        30 days to keep the asset (5 WD from 1/7/2026) is settled before this is recorded.
        """
        day = self._guard("record_asset_taken_in_kind", at, actor)
        if not source_ref:
            raise InvalidValueError("source_ref is required so that redelivery is idempotent")
        _token(source_ref, "source_ref", 128)
        seen = self.taken_in_kind.get(source_ref)
        if seen is not None:
            if (seen.claim_item_id, seen.value_vnd) != (claim_item_id, value_vnd):
                raise ConflictingSourceRefError(f"source_ref {source_ref!r} was already booked with other values")
            return
        if source_ref in self.collections:
            raise ConflictingSourceRefError(f"source_ref {source_ref!r} was already booked as money collected")
        _positive(value_vnd)
        item = self._item(claim_item_id)
        cap = min(item.outstanding_vnd, self.uncollected_vnd)
        if value_vnd > cap:
            raise AmountExceedsOutstandingError(
                f"an asset of {value_vnd} VND taken in kind exceeds the {cap} VND still owed on {claim_item_id} "
                f"(outstanding {item.outstanding_vnd}, owed on the case {self.uncollected_vnd}); the creditor "
                f"pays the excess to take it (Art. 104(3) Luật THADS 2008): book only what is owed "
                f"({legal_reference('coercion', day)})", legal_basis=legal_reference('coercion', day),
                message_vi=f"Giá trị tài sản nhận để trừ vào nghĩa vụ ({vn_money(value_vnd)}) vượt quá số còn phải "
                           f"thi hành ({vn_money(cap)}); người được thi hành án phải thanh toán phần chênh lệch.")
        self._asset_taken_in_kind(claim_item_id=claim_item_id, value_vnd=value_vnd, source_ref=source_ref,
                                  at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("AssetTakenInKind")
    def _asset_taken_in_kind(self, claim_item_id: str, value_vnd: int, source_ref: str, at: datetime,
                             actor_id: str, actor_role: str) -> None:
        item = self.items[claim_item_id]
        item.collected_vnd += value_vnd
        item.direct_vnd += value_vnd
        self.taken_in_kind[source_ref] = InKindTaking(source_ref, claim_item_id, value_vnd, self._stamp(at))
        self._settle_money_status()

    def _settle_money_status(self) -> None:
        if self.status in (Status.ENFORCING, Status.MONEY_HELD):
            all_settled = all(i.settled for i in self.items.values())
            self.status = Status.MONEY_HELD if self.held_vnd > 0 or all_settled else Status.ENFORCING

    @property
    def held_vnd(self) -> int:
        """Money in the agency's account for this case, not yet paid out."""
        return sum(i.collected_vnd - i.direct_vnd - i.paid_out_vnd for i in self.items.values())

    def payment_plan(self) -> dict[str, int]:
        """What each claim item may be paid now out of the money held, by law."""
        items = list(self.items.values())
        general = sum(i.collected_vnd - i.direct_vnd - i.collateral_vnd for i in items)
        alloc = legal_allocation(items, general)
        return {i.id: max(0, alloc[i.id] - i.paid_out_vnd) for i in items}

    def disburse(self, claim_item_id: str, amount_vnd: int, at: datetime, actor: Actor) -> None:
        """Pay held money to the creditor of a claim item, in the legal order (Art. 47)."""
        day = self._guard("disburse", at, actor)
        _positive(amount_vnd)
        item = self._item(claim_item_id)
        if amount_vnd > self.held_vnd:
            raise InsufficientMoneyHeldError(
                f"{amount_vnd} VND exceeds the {self.held_vnd} VND held", legal_basis=legal_reference('payment_order', day),
                message_vi=f"Số tiền chi ({vn_money(amount_vnd)}) vượt quá số tiền đang tạm giữ ({vn_money(self.held_vnd)}).")
        plan = self.payment_plan()
        if amount_vnd > plan[claim_item_id]:
            raise self._order_violation(item, amount_vnd, plan, day)
        payee = self.parties[item.creditor_party_id]
        self._money_disbursed(claim_item_id=claim_item_id, amount_vnd=amount_vnd, payee_party_id=payee.id,
                              payee_kind=payee.kind.value, at=at, actor_id=actor.id, actor_role=actor.role.value)

    def _order_violation(self, item: ClaimItem, amount_vnd: int, plan: dict[str, int],
                         day: date) -> PaymentOrderViolationError:
        waiting = [self.items[k] for k, v in plan.items() if v > 0 and k != item.id]
        if any(w.secured and w.collateral_vnd and w.rank >= item.rank for w in waiting):
            topic, why = "secured_first", "proceeds of a collateral go first to its secured creditor"
            why_vi = "tiền bán tài sản bảo đảm được thanh toán trước cho người nhận bảo đảm"
        elif any(w.rank < item.rank for w in waiting):
            first = min(w.rank for w in waiting)
            topic, why = "payment_order", f"rank-{first} claims are paid before rank {item.rank}"
            why_vi = f"các khoản thuộc thứ tự {first} được thanh toán trước khoản thuộc thứ tự {item.rank}"
        elif waiting:
            topic, why = "pro_rata", "claims of the same rank share the money pro rata"
            why_vi = "các khoản cùng thứ tự được thanh toán theo tỷ lệ"
        else:
            topic, why = "payment_order", "the item's legal share of the money held is smaller"
            why_vi = "phần được chia theo luật của khoản này nhỏ hơn"
        basis = legal_reference(topic, day)
        return PaymentOrderViolationError(
            basis, f"disbursing {amount_vnd} VND to {item.id} breaks the payment order ({basis}): {why}; "
                   f"its share now is {plan[item.id]} VND", rule=f"payment_order.{topic}",
            message_vi=f"Chi {vn_money(amount_vnd)} cho khoản {item.id} không đúng thứ tự thanh toán: {why_vi}; "
                       f"khoản này hiện chỉ được chi {vn_money(plan[item.id])}.")

    @event("MoneyDisbursed")
    def _money_disbursed(self, claim_item_id: str, amount_vnd: int, payee_party_id: str, payee_kind: str,
                         at: datetime, actor_id: str, actor_role: str) -> None:
        self.items[claim_item_id].paid_out_vnd += amount_vnd
        self.disbursements.append((self._stamp(at), amount_vnd))
        self._settle_money_status()

    def revoke_in_part(self, claim_item_ids: list[str], ground: RevocationGround | str, decision_no: str,
                       at: datetime, actor: Actor) -> None:
        """Revocation of the QĐTHA in part (Art. 37): what was not yet collected on the named items is no
        longer to enforce here; the case goes on with the rest (delegation in part: delegate_in_part)."""
        day = self._guard("revoke_in_part", at, actor)
        ground = _ground(RevocationGround, ground, "revocation", day)
        if not claim_item_ids or len(set(claim_item_ids)) != len(claim_item_ids):
            raise InvalidValueError("a partial revocation names its claim items, each once")
        items = [self._item(i) for i in claim_item_ids]
        if len(items) == len(self.items):
            raise InvalidValueError("every claim item is named: revoke the whole decision (revoke)")
        if any(i.uncollected_vnd <= 0 for i in items):
            raise NothingOutstandingError("a claim item named is already collected in full")
        self._new_decision(decision_no)
        self._partly_revoked(ground=ground.value, decision_no=decision_no,
                             claim_items={i.id: i.uncollected_vnd for i in items}, at=at, actor_id=actor.id,
                             actor_role=actor.role.value)

    @event("PartlyRevoked")
    def _partly_revoked(self, ground: str, decision_no: str, claim_items: dict[str, int], at: datetime, actor_id: str,
                        actor_role: str) -> None:
        for item_id, amount in claim_items.items():
            self.items[item_id].reduced_vnd += amount
        self._decision(decision_no, "revocation_in_part", self._stamp(at))
        self._settle_money_status()

    def deposit_unclaimed_money(self, claim_item_id: str, amount_vnd: int, deposit_reference: str, at: datetime,
                                actor: Actor) -> None:
        """Money held for a creditor who does not come for it: after the notice and 15 days it is
        deposited in a bank in the creditor's name (ND 62/2015 Art. 49). It leaves the agency like a
        payment (in the legal order, Art. 47) and counts as performed ("thi hành xong")."""
        day = self._guard("deposit_unclaimed_money", at, actor)
        _positive(amount_vnd)
        item = self._item(claim_item_id)
        _text(deposit_reference, "deposit reference", 64)
        if amount_vnd > self.held_vnd:
            raise InsufficientMoneyHeldError(
                f"{amount_vnd} VND exceeds the {self.held_vnd} VND held",
                legal_basis=legal_reference("unclaimed_money", day),
                message_vi=f"Số tiền gửi ({vn_money(amount_vnd)}) vượt quá số tiền đang tạm giữ "
                           f"({vn_money(self.held_vnd)}).")
        plan = self.payment_plan()
        if amount_vnd > plan[claim_item_id]:
            raise self._order_violation(item, amount_vnd, plan, day)
        self._unclaimed_money_deposited(claim_item_id=claim_item_id, amount_vnd=amount_vnd,
                                        deposit_reference=deposit_reference, at=at, actor_id=actor.id,
                                        actor_role=actor.role.value)

    @event("UnclaimedMoneyDeposited")
    def _unclaimed_money_deposited(self, claim_item_id: str, amount_vnd: int, deposit_reference: str, at: datetime,
                                   actor_id: str, actor_role: str) -> None:
        item = self.items[claim_item_id]
        item.paid_out_vnd += amount_vnd
        item.deposited_vnd += amount_vnd
        self.disbursements.append((self._stamp(at), amount_vnd))
        self._settle_money_status()

    def charge_enforcement_fee(self, claim_item_id: str, at: datetime, actor: Actor) -> None:
        """The creditor's fee on what it received so far (TT 216/2016/TT-BTC, fees.py): the tiered fee
        on the running total, less what was already charged (Art. 5(2)); exemptions in fee_parts."""
        day = self._guard("charge_enforcement_fee", at, actor)
        item = self._item(claim_item_id)
        if item.ex_officio or item.kind in FEE_EXEMPT_KINDS:
            raise FeeNotApplicableError(f"no fee on {item.kind.value} items or ex officio items "
                                        f"({legal_reference('fee', day)})", legal_basis=legal_reference('fee', day))
        parts = self.fee_parts(claim_item_id)
        due = fee_due(charged_in_full_vnd=parts["in_full_vnd"], one_third_vnd=parts["one_third_vnd"], on=day)
        base, fee = item.disbursed_vnd - item.deposited_vnd - item.fee_base_vnd, due - item.fee_vnd
        if base <= 0 or fee <= 0:
            raise NothingToChargeError(
                f"nothing new to charge on {claim_item_id}: received {item.disbursed_vnd} VND "
                f"({parts['exempt_vnd']} exempt), fee due {due} VND, charged {item.fee_vnd} VND",
                legal_basis=legal_reference('fee', day),
                message_vi=f"Không có khoản phí mới phải thu cho khoản {claim_item_id}: đã nhận "
                           f"{vn_money(item.disbursed_vnd)} (miễn {vn_money(parts['exempt_vnd'])}), phí phải nộp "
                           f"{vn_money(due)}, đã thu {vn_money(item.fee_vnd)}.")
        self._enforcement_fee_charged(claim_item_id=claim_item_id, base_vnd=base, fee_vnd=fee, at=at,
                                      actor_id=actor.id, actor_role=actor.role.value)

    @property
    def first_coercion_on(self) -> date | None:
        """The day of the first coercive measure or seizure (security measures are not coercion)."""
        coercive = {m.value for m in CoerciveMeasure} | {"seizure"}
        days = [business_date(m["at"]) for m in self.measures if m["measure"] in coercive]
        return min(days) if days else None

    def fee_parts(self, claim_item_id: str) -> dict[str, int]:
        """What the creditor of the item received, split by how the fee treats it (fees.py):
        exempt (paid within the voluntary period, TT 216 Art. 6(8)); one third (settled directly
        between the parties before coercion, Art. 4(4)); in full (the rest: paid out by the agency,
        value taken in kind, direct payments after coercion began)."""
        item = self._item(claim_item_id)
        received = item.disbursed_vnd - item.deposited_vnd   # deposited money is not received yet
        ends, coercion = self.voluntary_period_ends_on, self.first_coercion_on
        mine = [c for c in self.collections.values() if c.claim_item_id == claim_item_id]
        exempt = sum(c.amount_vnd for c in mine if c.channel is CollectionChannel.VOLUNTARY
                     and ends is not None and c.on <= ends)
        direct_early = sum(c.amount_vnd for c in mine if not c.pooled and (coercion is None or c.on < coercion)
                           and not (c.channel is CollectionChannel.VOLUNTARY and ends is not None and c.on <= ends))
        exempt = min(exempt, received)
        third = min(direct_early, received - exempt)
        return {"received_vnd": received, "exempt_vnd": exempt, "one_third_vnd": third,
                "in_full_vnd": received - exempt - third}

    @event("EnforcementFeeCharged")
    def _enforcement_fee_charged(self, claim_item_id: str, base_vnd: int, fee_vnd: int, at: datetime,
                                 actor_id: str, actor_role: str) -> None:
        item = self.items[claim_item_id]
        item.fee_base_vnd += base_vnd
        item.fee_vnd += fee_vnd
        self.fee_total_vnd += fee_vnd
        self._stamp(at)

    # -- pauses and exits

    def postpone(self, ground: PostponementGround | str, decision_no: str, at: datetime, actor: Actor,
                 until: date | None = None, ground_known_on: date | None = None) -> None:
        """Postponement (Art. 48) of any open case after its decision (the law sets no stage): the
        decision is due within 5 WD of the ground (48(2)), at once on a protest-holder's request
        (48(3))."""
        day = self._guard("postpone", at, actor)
        ground = _ground(PostponementGround, ground, "postponement", day)
        self._new_decision(decision_no)
        known = self._known_on(ground_known_on, day)
        self._postponed(ground=ground.value, decision_no=decision_no, until=_iso(until), at=at,
                        actor_id=actor.id, actor_role=actor.role.value, known_on=known.isoformat())

    @event("Postponed")
    def _postponed(self, ground: str, decision_no: str, until: str | None, at: datetime, actor_id: str,
                   actor_role: str, known_on: str | None = None) -> None:
        self.previous_status, self.ground = self.status, ground
        day = self._move(Status.POSTPONED, at)
        self._decision(decision_no, "postponement", day)
        if known_on is not None:  # recorded since issue 7; older histories have no such deadline
            step = (Step.POSTPONEMENT_DECISION_PROTEST if ground == PostponementGround.PROTEST_HOLDER_REQUEST
                    else Step.POSTPONEMENT_DECISION)
            self.timeline.append((step, date.fromisoformat(known_on), day))

    def continue_after_postponement(self, decision_no: str, at: datetime, actor: Actor,
                                    ground_ended_on: date | None = None) -> None:
        """QĐ tiếp tục: back to the status the case had when postponed, within 5 WD after the ground
        ended (Art. 48(4)); `ground_ended_on` starts that deadline."""
        day = self._guard("continue_after_postponement", at, actor)
        self._new_decision(decision_no)
        ended = self._known_on(ground_ended_on, day) if ground_ended_on is not None else None
        self._continued_after_postponement(decision_no=decision_no, at=at, actor_id=actor.id,
                                           actor_role=actor.role.value, ground_ended_on=_iso(ended))

    continue_ = continue_after_postponement

    @event("ContinuedAfterPostponement")
    def _continued_after_postponement(self, decision_no: str, at: datetime, actor_id: str,
                                      actor_role: str, ground_ended_on: str | None = None) -> None:
        back = self.previous_status or Status.ENFORCING
        self.previous_status = None
        day = self._move(back, at)
        self._decision(decision_no, "continuation", day)
        if ground_ended_on is not None:
            self.timeline.append((Step.CONTINUATION_AFTER_POSTPONEMENT, date.fromisoformat(ground_ended_on), day))
        # Money booked while postponed (or a debt repaid in full to the bank): back in ENFORCING the
        # case holds money → MONEY_HELD (§1.6 ENFORCING --collected--> MONEY_HELD). Only a case with
        # collections is settled, so that older histories (nothing could be booked while postponed)
        # replay to the same status as before: an item-less case stays ENFORCING.
        if self.collections:
            self._settle_money_status()

    def suspend(self, ground: SuspensionGround | str, decision_no: str, at: datetime, actor: Actor,
                ground_known_on: date | None = None) -> None:
        day = self._guard("suspend", at, actor)
        ground = _ground(SuspensionGround, ground, "suspension", day)
        self._new_decision(decision_no)
        known = self._known_on(ground_known_on, day)
        self._suspended(ground=ground.value, decision_no=decision_no, known_on=known.isoformat(), at=at,
                        actor_id=actor.id, actor_role=actor.role.value)

    @event("Suspended")
    def _suspended(self, ground: str, decision_no: str, known_on: str, at: datetime, actor_id: str,
                   actor_role: str) -> None:
        self.previous_status, self.ground = self.status, ground
        day = self._move(Status.SUSPENDED, at)
        self._decision(decision_no, "suspension", day)
        if ground == SuspensionGround.BANKRUPTCY_PETITION_ACCEPTED:  # 5 WD only here (Art. 49(2))
            self.timeline.append((Step.SUSPENSION_DECISION, date.fromisoformat(known_on), day))

    def continue_after_suspension(self, decision_no: str, at: datetime, actor: Actor,
                                  ground_ended_on: date | None = None) -> None:
        day = self._guard("continue_after_suspension", at, actor)
        self._new_decision(decision_no)
        ended = self._known_on(ground_ended_on, day)
        self._continued_after_suspension(decision_no=decision_no, ground_ended_on=ended.isoformat(), at=at,
                                         actor_id=actor.id, actor_role=actor.role.value)

    @event("ContinuedAfterSuspension")
    def _continued_after_suspension(self, decision_no: str, ground_ended_on: str, at: datetime,
                                    actor_id: str, actor_role: str) -> None:
        # back to the status the case had when suspended (only ENFORCING before issue 7)
        back = self.previous_status or Status.ENFORCING
        self.previous_status = None
        day = self._move(back, at)
        self._decision(decision_no, "continuation", day)
        self.timeline.append((Step.CONTINUATION_AFTER_SUSPENSION, date.fromisoformat(ground_ended_on), day))
        self._settle_money_status()

    def terminate(self, ground: TerminationGround | str, decision_no: str, at: datetime, actor: Actor,
                  ground_known_on: date | None = None) -> None:
        day = self._guard("terminate", at, actor)
        self._refuse_while_money_held("terminate", day)
        ground = _ground(TerminationGround, ground, "termination", day)
        self._new_decision(decision_no)
        known = self._known_on(ground_known_on, day)
        self._terminated(ground=ground.value, decision_no=decision_no, known_on=known.isoformat(), at=at,
                         actor_id=actor.id, actor_role=actor.role.value)

    @event("Terminated")
    def _terminated(self, ground: str, decision_no: str, known_on: str, at: datetime, actor_id: str,
                    actor_role: str) -> None:
        self.ground = ground
        day = self._move(Status.TERMINATED, at)
        self._decision(decision_no, "termination", day)
        self.timeline.append((Step.TERMINATION_DECISION, date.fromisoformat(known_on), day))

    def _refuse_while_money_held(self, command: str, day: date) -> None:
        """Termination or revocation while the agency holds the case's money is refused until it is
        paid out or returned (Arts. 47(5), 50)."""
        if self.held_vnd > 0:
            raise MoneyHeldError(
                f"{command}: {self.held_vnd} VND is held; pay it out or return it first "
                f"({legal_reference('money_held', day)})", legal_basis=legal_reference("money_held", day),
                message_vi=f"Việc thi hành án đang tạm giữ {vn_money(self.held_vnd)}: phải chi trả hoặc trả lại "
                           f"trước khi {COMMAND_LABELS_VI.get(command, command)}.")

    def terminate_in_part(self, claim_item_id: str, amount_vnd: int, ground: TerminationGround | str,
                          decision_no: str, at: datetime, actor: Actor, ground_known_on: date | None = None) -> None:
        """Termination of a part of a claim (Art. 50(1)(c) waiver or agreement, (d) judgment annulled in
        part): the part leaves what is to be enforced ("reduced" in the money statistics); the case
        goes on with the rest, and completes when the rest is paid."""
        day = self._guard("terminate_in_part", at, actor)
        ground = _ground(TerminationGround, ground, "termination", day)
        if ground not in PARTIAL_TERMINATION_GROUNDS:
            raise InvalidGroundError(
                f"a claim is terminated in part only on Art. 50(1)(c) or (d), not {ground.value}",
                rule="partial_termination.ground", legal_basis=legal_reference("partial_termination", day),
                message_vi="Chỉ đình chỉ một phần khi đương sự thỏa thuận, người được thi hành án không yêu cầu "
                           "(Điều 50(1)(c)) hoặc bản án bị hủy một phần (Điều 50(1)(d)).")
        self._check_reducible(claim_item_id, amount_vnd, day)
        self._new_decision(decision_no)
        known = self._known_on(ground_known_on, day)
        self._claim_reduced(claim_item_id=claim_item_id, amount_vnd=amount_vnd,
                            kind=ReductionKind.PARTLY_TERMINATED.value, ground=ground.value, decision_no=decision_no,
                            known_on=known.isoformat(), at=at, actor_id=actor.id, actor_role=actor.role.value)

    def reduce_claim(self, claim_item_id: str, amount_vnd: int, kind: ReductionKind | str, decision_no: str,
                     at: datetime, actor: Actor) -> None:
        """A decision reducing or exempting a claim (miễn, giảm nghĩa vụ, Arts. 61–64): the amount
        leaves what is to be enforced ("reduced" in the money statistics)."""
        day = self._guard("reduce_claim", at, actor)
        kind = _parse(ReductionKind, kind, "reduction kind")
        if kind not in (ReductionKind.REDUCED, ReductionKind.EXEMPTED):
            raise InvalidValueError(f"reduce_claim records a reduction or an exemption, not {kind.value}")
        self._check_reducible(claim_item_id, amount_vnd, day)
        self._new_decision(decision_no)
        self._claim_reduced(claim_item_id=claim_item_id, amount_vnd=amount_vnd, kind=kind.value, ground=None,
                            decision_no=decision_no, known_on=None, at=at, actor_id=actor.id,
                            actor_role=actor.role.value)

    def _check_reducible(self, claim_item_id: str, amount_vnd: int, day: date) -> None:
        _positive(amount_vnd)
        item = self._item(claim_item_id)
        if amount_vnd > item.uncollected_vnd:
            raise AmountExceedsOutstandingError(
                f"{amount_vnd} VND exceeds the {item.uncollected_vnd} VND not yet collected on {claim_item_id}",
                message_vi=f"Số tiền {vn_money(amount_vnd)} vượt quá số chưa thu của khoản {claim_item_id} "
                           f"({vn_money(item.uncollected_vnd)}).")

    @event("ClaimReduced")
    def _claim_reduced(self, claim_item_id: str, amount_vnd: int, kind: str, ground: str | None, decision_no: str,
                       known_on: str | None, at: datetime, actor_id: str, actor_role: str) -> None:
        self.items[claim_item_id].reduced_vnd += amount_vnd
        day = self._stamp(at)
        decision_kind = "partial_termination" if kind == ReductionKind.PARTLY_TERMINATED else kind
        self._decision(decision_no, decision_kind, day)
        if known_on is not None:
            self.timeline.append((Step.TERMINATION_DECISION, date.fromisoformat(known_on), day))
        self._settle_money_status()

    def delegate_out(self, target_unit_id: str, ground: DelegationGround | str, decision_no: str,
                     at: datetime, actor: Actor, ground_known_on: date | None = None,
                     revocation_decision_no: str | None = None) -> None:
        """Delegation of the whole case (Arts. 55–57): issued after the QĐTHA, so that decision is
        revoked with it (Art. 57(1)(a) as amended 2022): `revocation_decision_no` names the revocation."""
        day = self._guard("delegate_out", at, actor)
        self._need_revocation(revocation_decision_no, day)
        if self.held_vnd > 0:  # e.g. proceeds booked while postponed, or a voluntary payment not yet paid out
            raise self._transition_error("delegate_out", at, "delegate_out", f"{self.held_vnd} VND is held",
                                         f"đang tạm giữ {vn_money(self.held_vnd)} chưa chi trả")
        ground = _ground(DelegationGround, ground, "delegation", day)
        if not target_unit_id or target_unit_id == self.unit_id:
            raise InvalidValueError("a case is delegated to another THADS unit")
        _office_code(target_unit_id, "target unit id")
        self._new_decision(decision_no)
        if revocation_decision_no == decision_no:
            raise DuplicateDecisionError("the delegation and the revocation are two decisions with two numbers")
        self._new_decision(revocation_decision_no or "")
        known = self._known_on(ground_known_on, day)
        self._delegated_out(target_unit_id=target_unit_id, ground=ground.value, decision_no=decision_no,
                            known_on=known.isoformat(), at=at, actor_id=actor.id, actor_role=actor.role.value,
                            revocation_decision_no=revocation_decision_no)

    def _need_revocation(self, revocation_decision_no: str | None, day: date) -> None:
        if not revocation_decision_no:
            raise MissingGroundError(
                "a delegation after the QĐTHA revokes it in whole or in part: revocation_decision_no is required "
                f"({legal_reference('delegation', day)})", rule="delegation.revocation_required",
                legal_basis=legal_reference("delegation", day),
                message_vi="Ủy thác sau khi đã ra quyết định thi hành án thì phải thu hồi quyết định đó (toàn bộ "
                           "hoặc một phần): cần số quyết định thu hồi.")

    def delegate_in_part(self, target_unit_id: str, ground: DelegationGround | str, decision_no: str,
                         revocation_decision_no: str, claim_item_ids: list[str], at: datetime, actor: Actor,
                         ground_known_on: date | None = None) -> None:
        """Delegation of some claim items (e.g. the secured one, where the asset is, Art. 55(1)(b)): the
        QĐTHA is revoked in that part; what was not yet collected on them leaves this office's amount
        to enforce (ReductionKind.DELEGATED) and the case goes on with the rest."""
        day = self._guard("delegate_in_part", at, actor)
        self._need_revocation(revocation_decision_no, day)
        ground = _ground(DelegationGround, ground, "delegation", day)
        if not target_unit_id or target_unit_id == self.unit_id:
            raise InvalidValueError("a case is delegated to another THADS unit")
        _office_code(target_unit_id, "target unit id")
        if not claim_item_ids or len(set(claim_item_ids)) != len(claim_item_ids):
            raise InvalidValueError("a partial delegation names its claim items, each once")
        items = [self._item(i) for i in claim_item_ids]
        if len(items) == len(self.items):
            raise InvalidValueError("every claim item is named: delegate the whole case (delegate_out)")
        if any(i.uncollected_vnd <= 0 for i in items):
            raise NothingOutstandingError("a claim item named is already collected in full")
        self._new_decision(decision_no)
        if revocation_decision_no == decision_no:
            raise DuplicateDecisionError("the delegation and the revocation are two decisions with two numbers")
        self._new_decision(revocation_decision_no)
        known = self._known_on(ground_known_on, day)
        self._partly_delegated_out(target_unit_id=target_unit_id, ground=ground.value, decision_no=decision_no,
                                   revocation_decision_no=revocation_decision_no,
                                   claim_items={i.id: i.uncollected_vnd for i in items}, known_on=known.isoformat(),
                                   at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("PartlyDelegatedOut")
    def _partly_delegated_out(self, target_unit_id: str, ground: str, decision_no: str, revocation_decision_no: str,
                              claim_items: dict[str, int], known_on: str, at: datetime, actor_id: str,
                              actor_role: str) -> None:
        for item_id, amount in claim_items.items():
            self.items[item_id].reduced_vnd += amount
        day = self._stamp(at)
        self._decision(decision_no, "delegation", day)
        self._decision(revocation_decision_no, "revocation_in_part", day)
        step = (Step.DELEGATION_DECISION_PROVISIONAL_MEASURE if self.matter is Matter.PROVISIONAL_MEASURE
                else Step.DELEGATION_DECISION)
        self.timeline.append((step, date.fromisoformat(known_on), day))
        self._settle_money_status()

    @event("DelegatedOut")
    def _delegated_out(self, target_unit_id: str, ground: str, decision_no: str, known_on: str,
                       at: datetime, actor_id: str, actor_role: str, revocation_decision_no: str | None = None) -> None:
        self.ground, self.delegated_to = ground, target_unit_id
        day = self._move(Status.DELEGATED_OUT, at)
        self._decision(decision_no, "delegation", day)
        if revocation_decision_no:
            self._decision(revocation_decision_no, "revocation", day)
        step = (Step.DELEGATION_DECISION_PROVISIONAL_MEASURE if self.matter is Matter.PROVISIONAL_MEASURE
                else Step.DELEGATION_DECISION)
        self.timeline.append((step, date.fromisoformat(known_on), day))

    def revoke(self, ground: RevocationGround | str, decision_no: str, at: datetime, actor: Actor) -> None:
        day = self._guard("revoke", at, actor)
        self._refuse_while_money_held("revoke", day)
        ground = _ground(RevocationGround, ground, "revocation", day)
        self._new_decision(decision_no)
        self._revoked(ground=ground.value, decision_no=decision_no, at=at, actor_id=actor.id,
                      actor_role=actor.role.value)

    @event("Revoked")
    def _revoked(self, ground: str, decision_no: str, at: datetime, actor_id: str, actor_role: str) -> None:
        self.ground = ground
        self._decision(decision_no, "revocation", self._move(Status.REVOKED, at))

    def complete(self, at: datetime, actor: Actor, certificate_no: str | None = None) -> None:
        """Every claim item paid to its creditor: the case ends, certified (Arts. 52(1), 53)."""
        day = self._guard("complete", at, actor)
        open_items = [i.id for i in self.items.values() if not i.settled]
        if open_items:
            raise OutstandingClaimsError(f"claim items not yet paid in full: {', '.join(open_items)} "
                                         f"({legal_reference('completion', day)})",
                                         legal_basis=legal_reference('completion', day),
                                         message_vi=f"Còn khoản thi hành án chưa thi hành xong: {', '.join(open_items)}.")
        certificate_no = certificate_no or None
        if certificate_no is not None:
            _text(certificate_no, "certificate number", 64)
        # "thi hành xong" also when a part was terminated, reduced or delegated (domain.md §2)
        basis = ("unclaimed_money_deposited" if any(i.deposited_vnd for i in self.items.values())
                 else "partly_performed_rest_settled" if any(i.reduced_vnd for i in self.items.values())
                 else "fully_performed")
        self._completed(certificate_no=certificate_no, at=at, actor_id=actor.id, actor_role=actor.role.value,
                        completion_basis=basis)

    @event("Completed")
    def _completed(self, certificate_no: str | None, at: datetime, actor_id: str, actor_role: str,
                   completion_basis: str | None = None) -> None:
        self.certificate_no = certificate_no
        day = self._move(Status.COMPLETED, at)
        if certificate_no and self.certificate_requested_on:
            self.timeline.append((Step.RESULT_CERTIFICATE, self.certificate_requested_on, day))
            self.certificate_requested_on = None

    def receive_certificate_request(self, at: datetime, actor: Actor) -> None:
        self._guard("receive_certificate_request", at, actor)
        if self.certificate_requested_on is not None:
            raise CertificateRequestPendingError(f"a request of {self.certificate_requested_on} is pending")
        self._certificate_requested(at=at, actor_id=actor.id, actor_role=actor.role.value)

    @event("CertificateRequested")
    def _certificate_requested(self, at: datetime, actor_id: str, actor_role: str) -> None:
        self.certificate_requested_on = self._stamp(at)

    def issue_certificate(self, certificate_no: str, at: datetime, actor: Actor) -> None:
        """Certificate of the result so far (Art. 53; ND 152/2026 Art. 32(3))."""
        self._guard("issue_certificate", at, actor)
        if self.certificate_requested_on is None:
            raise NoCertificateRequestError("a certificate is issued on a party's request")
        if not certificate_no:
            raise InvalidValueError("a certificate number is required")
        _text(certificate_no, "certificate number", 64)
        self._certificate_issued(certificate_no=certificate_no, at=at, actor_id=actor.id,
                                 actor_role=actor.role.value)

    @event("CertificateIssued")
    def _certificate_issued(self, certificate_no: str, at: datetime, actor_id: str, actor_role: str) -> None:
        self.certificate_no = certificate_no
        requested = self.certificate_requested_on or business_date(at)
        self.timeline.append((Step.RESULT_CERTIFICATE, requested, self._stamp(at)))
        self.certificate_requested_on = None

    # -- personal data erasure (domain/erasure.py)

    def erase_personal_data(self, party_id: str, ground: str, requested_by: str, request_ref: str,
                            at: datetime, actor: Actor) -> None:
        """An audited erasure of a party's personal data, refused while the case file keeps it."""
        from intake_service.domain.erasure import (ERASURE_BASIS, ERASURE_GROUNDS, ERASURE_REQUESTERS,
                                                   RETENTION_BASIS, RETENTION_YEARS, retained_until)
        from intake_service.domain.errors import PersonalDataRetainedError

        day = self._guard("erase_personal_data", at, actor)      # an open case: refused by TRANSITIONS
        if party_id not in self.parties:
            raise UnknownPartyError(f"party {party_id!r} is not on this case")
        if ground not in ERASURE_GROUNDS or requested_by not in ERASURE_REQUESTERS:
            raise InvalidValueError(f"ground must be one of {ERASURE_GROUNDS} and requested_by one of "
                                    f"{ERASURE_REQUESTERS}")
        _text(request_ref, "request reference", 64)
        kept_until = retained_until(business_date(self.last_at))
        if day < kept_until:
            raise PersonalDataRetainedError(
                f"the case closed on {business_date(self.last_at)}: its file keeps personal data for "
                f"{RETENTION_YEARS} years, until {kept_until}", legal_basis=RETENTION_BASIS,
                message_vi=f"Hồ sơ việc thi hành án phải lưu giữ thông tin cá nhân {RETENTION_YEARS} năm kể từ "
                           f"ngày {vn_date(business_date(self.last_at))}; chỉ được xóa từ ngày {vn_date(kept_until)}.")
        self._personal_data_erased(party_id=party_id, ground=ground, requested_by=requested_by,
                                   request_ref=request_ref, legal_basis=ERASURE_BASIS, at=at, actor_id=actor.id,
                                   actor_role=actor.role.value)

    @event("PersonalDataErased")
    def _personal_data_erased(self, party_id: str, ground: str, requested_by: str, request_ref: str,
                              legal_basis: str, at: datetime, actor_id: str, actor_role: str) -> None:
        """Changes no state: the case's status, money, deadlines and last step stay as they were."""

    # -- deadlines

    def record_deadline_missed(self, step: Step | str, due: date, at: datetime, actor: Actor) -> None:
        """Idempotent: a (step, due) pair is recorded once; a repeat is ignored."""
        day = self._guard("record_deadline_missed", at, actor)
        step = _parse(Step, step, "step")
        if (step.value, due.isoformat()) in self.missed:
            return
        if due >= day:
            raise DeadlineNotPassedError(f"{step.value} is due {due}; on {day} it is not missed yet")
        self._deadline_missed(step=step.value, due=due.isoformat(),
                              legal_basis=deadline_for(step, due).legal_basis, at=at,
                              actor_id=actor.id, actor_role=actor.role.value)

    @event("DeadlineMissed")
    def _deadline_missed(self, step: str, due: str, legal_basis: str, at: datetime, actor_id: str,
                         actor_role: str) -> None:
        self.missed.add((step, due))
        self._stamp(at)

    def deadlines(self, as_of: date) -> list[dict[str, Any]]:
        """Every legal deadline of the case so far, computed from business dates."""
        rows = [self._entry(step, start, done, as_of) for step, start, done in self._deadline_steps()]
        return sorted(rows, key=lambda r: (r["due"], r["step"]))

    def _deadline_steps(self) -> list[tuple[Step, date, date | None]]:
        steps: list[tuple[Step, date, date | None]] = [(self._decision_step(), self.received_on,
                                                        self.refused_on or self.decided_on)]
        steps += [(Step.PROCURACY_COPY, d.issued_on, d.copy_sent_on) for d in self.decisions.values()]
        steps += [(Step.NOTICE_TO_PARTIES, d.issued_on, d.parties_notified_on) for d in self.decisions.values()]
        still_unpaid = self.status is Status.VOLUNTARY and self.uncollected_vnd > 0
        if self.notified_on and (self.verification_started_on or still_unpaid):
            if self.matter is Matter.PROVISIONAL_MEASURE:
                steps.append((Step.VERIFICATION_START_PROVISIONAL_MEASURE, self.notified_on,
                              self.verification_started_on))
            else:
                steps.append((Step.VERIFICATION_START, self.voluntary_period_ends_on or self.notified_on,
                              self.verification_started_on))
        steps += [(step, start, done) for step, start, done in self.timeline]
        if self.status is Status.NO_CONDITION and self.no_condition_on:
            step = Step.REVERIFICATION_LONG if self.long_reverification else Step.REVERIFICATION
            steps.append((step, self.checks[-1] if self.checks else self.no_condition_on, None))
        if self.status is Status.NO_CONDITION or self.registered_on is not None:
            ready = self.separate_register_due()
            if ready is not None:
                steps.append((Step.SEPARATE_REGISTER_TRANSFER, ready, self.registered_on))
        if self.new_information_on is not None:
            steps.append((Step.VERIFICATION_AFTER_NEW_INFORMATION, self.new_information_on, None))
        if len(self.checks) >= 2 and self.no_condition_on is not None:
            steps.append((Step.CREDITOR_NOTICE_AFTER_TWO_CHECKS, self.checks[1], self.creditor_notified_on))
        steps += self._disbursement_steps()
        if self.certificate_requested_on:
            steps.append((Step.RESULT_CERTIFICATE, self.certificate_requested_on, None))
        return steps

    def _decision_step(self) -> Step:
        if self.origin is Origin.DELEGATION:
            return Step.DECISION_AFTER_DELEGATION
        if self.origin is Origin.REQUEST:
            return Step.REFUSAL if self.refused_on else Step.DECISION_ON_REQUEST
        return {Matter.ORDINARY: Step.DECISION_EX_OFFICIO, Matter.BANKRUPTCY: Step.DECISION_BANKRUPTCY,
                Matter.PROVISIONAL_MEASURE: Step.DECISION_PROVISIONAL_MEASURE}[self.matter]

    def _disbursement_steps(self) -> list[tuple[Step, date, date | None]]:
        """Money collected is paid out first in, first out; each collection is due 10 days later."""
        steps, paid, cumulative = [], list(self.disbursements), 0
        for c in (c for c in self.collections.values() if c.pooled):
            cumulative += c.amount_vnd
            running, done = 0, None
            for on, amount in paid:
                running += amount
                if running >= cumulative:
                    done = on
                    break
            steps.append((Step.DISBURSEMENT, c.on, done))
        return steps

    @staticmethod
    def _entry(step: Step, start: date, done: date | None, as_of: date) -> dict[str, Any]:
        due = due_date(step, start)
        if done is not None:
            state = "met" if done <= due else "overdue"
        else:
            state = "overdue" if as_of > due else "open"
        return {"step": step.value, "started_on": start, "due": due, "done_on": done, "status": state,
                "legal_basis": deadline_for(step, start).legal_basis}

    # -- queries

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def claim_items(self) -> list[dict[str, Any]]:
        """Per-item partial results: collected, disbursed, outstanding, settled."""
        return [i.as_dict() for i in self.items.values()]

    # -- snapshots

    # Version of the snapshot state layout written by `_snapshot_state` (an aggregate's class_version
    # is used by snapshots only, never by events). The state is plain JSON: enums as their values,
    # dates and datetimes as ISO strings, dataclasses as dicts, tuples and the set `missed` as lists.
    # ANY change to that layout (an attribute added to __init__, a field added to Party, ClaimItem,
    # Decision or Collection, a renamed key, a new encoding) must bump class_version to n+1 AND add
    #     @staticmethod
    #     def upcast_v{n}_v{n+1}(state: dict[str, Any]) -> None: ...   # e.g. state["x"] = None
    # here, turning a stored layout-n state into layout n+1 in place: stored snapshots are never
    # rewritten, and Case.Snapshot.mutate runs the upcaster chain on the old ones. An attribute that
    # `_snapshot_state` does not cover makes it raise, and the snapshot tests pin the dataclass fields.
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Layout 2 adds `taken_in_kind` (assets the creditor took, Art. 104): none before it."""
        state["taken_in_kind"] = []

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Layout 3 (issue 7) adds the items' own due date and reduced amount, the decisions' notice to
        the parties, and the case's late-request acceptance, separate-register date, new information,
        conditions found, creditor notice and delegation origin: none of them existed before, except
        that the notice of the QĐTHA (notified_on) was its notice to the parties, as a replay gives."""
        for item in state["items"]:
            item["due_on"], item["reduced_vnd"], item["deposited_vnd"] = None, 0, 0
        for d in state["decisions"]:
            d["parties_notified_on"] = state["notified_on"] if d["kind"] == "enforcement" else None
        state.update(late_request=None, registered_on=None, new_information_on=None, conditions_found_on=None,
                     creditor_notified_on=None, delegated_from=None, delegation_basis=None)

    # The snapshot class and the state layout it stores live in snapshots.py.
    Snapshot = CaseSnapshot

    def _snapshot_state(self) -> dict[str, Any]:
        """The whole state as plain JSON values, keyed by attribute name (layout `class_version`)."""
        return snapshot_state(self)

    @classmethod
    def _from_snapshot_state(cls, state: dict[str, Any], originator_id: UUID, version: int) -> Case:
        """The aggregate at `version` from a state of the current layout (see snapshots.py)."""
        return case_from_snapshot_state(cls, state, originator_id, version)

