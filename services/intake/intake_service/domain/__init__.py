"""The intake domain: where each rule lives.

- vocabulary.py   statuses and their Vietnamese labels, claim kinds, grounds of each article, roles, Actor
- errors.py       every refusal: one exception per rule, with its stable `rule` id, `legal_basis` and
                  the Vietnamese `message_vi` the API shows to officers
- transitions.py  TRANSITIONS, the one table of which command runs from which status, by whom (§1.6)
- money.py        the payment order of Art. 47 and the legal allocation of the money held
- fees.py         the enforcement fee of TT 216/2016/TT-BTC (tiers as data, exemptions)
- limitation.py   the limitation period of Art. 30
- records.py      parts of a case: parties, claim items and their partial results, decisions, collections
- values.py       checks of single values at the command (ids, numbers, amounts, grounds), encodings
- case.py         the Case aggregate: commands, their guards and events
- snapshots.py    the Case snapshot: versioned JSON state and its restoration

`from intake_service.domain import X` keeps working for every name. Event and snapshot topics
stored before the split name `intake_service.domain:Case...`; they are registered below so that
they still resolve to the moved classes (new events are stored under `intake_service.domain.case`).
"""

from eventsourcing.utils import register_topic

from intake_service.domain.vocabulary import (  # noqa: F401
    Status,
    STATUS_LABELS,
    Origin,
    Basis,
    Matter,
    Channel,
    Role,
    PartyRole,
    PartyKind,
    ClaimKind,
    CLAIM_KIND_LABELS,
    CollectionChannel,
    VerificationOutcome,
    RefusalGround,
    NoConditionGround,
    PostponementGround,
    SuspensionGround,
    TerminationGround,
    DelegationGround,
    RevocationGround,
    SecurityMeasure,
    CoerciveMeasure,
    AssetKind,
    LateRequestGround,
    PARTIAL_TERMINATION_GROUNDS,
    ReductionKind,
    TERMINATION_GROUND_LABELS,
    FIELD_MEASURES,
    Actor,
)
from intake_service.domain.errors import (  # noqa: F401
    IntakeError,
    InvalidTransitionError,
    ActorNotPermittedError,
    BackdatedEventError,
    NaiveDatetimeError,
    InvalidValueError,
    MissingGroundError,
    InvalidGroundError,
    NotPositiveAmountError,
    UnknownPartyError,
    DuplicatePartyError,
    InvalidPartyError,
    UnknownClaimItemError,
    DuplicateClaimItemError,
    UnknownDecisionError,
    DuplicateDecisionError,
    ProcuracyCopyAlreadyRecordedError,
    BasisMismatchError,
    OfficerAlreadyAssignedError,
    OfficerNotAssignedError,
    VoluntaryPeriodRunningError,
    NothingOutstandingError,
    SeparateRegisterNotDueError,
    RuleNotInForceError,
    ReturnNotApplicableError,
    ForbiddenCoercionTimeError,
    AmountExceedsOutstandingError,
    ConflictingSourceRefError,
    InvalidChannelError,
    InsufficientMoneyHeldError,
    OutstandingClaimsError,
    FeeNotApplicableError,
    NothingToChargeError,
    CertificateRequestPendingError,
    NoCertificateRequestError,
    DeadlineNotPassedError,
    LimitationExpiredError,
    PaymentOrderViolationError,
    MoneyHeldError,
    ContinuationDecisionRequiredError,
    ReasonsRequiredError,
    vn_date,
    vn_money,
)
from intake_service.domain.transitions import (  # noqa: F401
    PRE_DECISION,
    ACTIVE,
    TERMINAL,
    OPEN,
    DECIDED_ONWARD,
    AFTER_NOTICE,
    PAUSABLE,
    WITHOUT_CONDITIONS,
    LEADERS,
    INTAKE_STAFF,
    MONEY_STAFF,
    Transition,
    _t,
    TRANSITIONS,
    CREATION_ROLES,
    COLLECTION_RULES,
    COMMAND_LABELS_VI,
    ROLE_LABELS_VI,
)
from intake_service.domain.money import (  # noqa: F401
    PAYMENT_RANK,
    payment_rank,
    legal_allocation,
)
from intake_service.domain.fees import (  # noqa: F401
    FEE_EXEMPT_KINDS,
    FEE_SCHEDULES,
    BASE_SALARIES,
    FeeSchedule,
    FeeTier,
    base_salary,
    fee_due,
    fee_schedule,
    tiered_fee,
)
from intake_service.domain.limitation import (  # noqa: F401
    LIMITATION_YEARS,
    limitation_basis,
)
from intake_service.domain.records import (  # noqa: F401
    Party,
    ClaimItem,
    Decision,
    Collection,
    InKindTaking,
)
from intake_service.domain.values import (  # noqa: F401
    VN_TZ,
    MAX_VND,
    _iso,
    _from_iso,
    business_date,
    E,
    _parse,
    _ground,
    _positive,
    BANK_CODE,
    _token,
    _office_code,
    _text,
    _value,
    _member,
)
from intake_service.domain.case import (  # noqa: F401
    Case,
)


def _register_pre_split_topics() -> None:
    """Topics of events and snapshots stored while the domain was one module, `intake_service.domain`.

    resolve_topic would find most of them through this package's re-exports anyway; registering them
    makes the guarantee explicit and independent of what this file re-exports."""
    old = "intake_service.domain"
    register_topic(f"{old}:Case", Case)
    register_topic(f"{old}:Case.Snapshot", Case.Snapshot)
    for name, value in vars(Case).items():
        if isinstance(value, type) and issubclass(value, Case.Event) or name in ("Created", "Event"):
            register_topic(f"{old}:Case.{name}", value)


_register_pre_split_topics()
