"""Kafka topic names: one topic per producing aggregate type, keyed by case id."""

INTAKE_CASE = "thads.intake.case"
AUCTIONS_ASSET = "thads.auctions.asset"
COMPLAINTS_COMPLAINT = "thads.complaints.complaint"
RECOVERY_DEBT = "thads.recovery.debt"
STATISTICS_REPORT = "thads.statistics.report"
AUDIT_ANCHOR = "thads.audit.anchor"
# every store's stream heads (hash chain tips) for the audit service's anchors; not a case topic
AUDIT_CHAIN_HEADS = "thads.audit.chainheads"
# every service's access log entries (thads_contracts.access.AccessRecorded); not a case topic
AUDIT_ACCESS = "thads.audit.access"
DEAD_LETTER = "thads.deadletter"
BANK_FEED_PREFIX = "thads.bankfeed."
ONLINE_FILING = "thads.online.filing"
# The family of per-bank feed topics as documents name it (thads.bankfeed.VCB, thads.bankfeed.BIDV, ...)
BANK_FEED_TOPICS = BANK_FEED_PREFIX + "{bank_code}"

DOMAIN_TOPICS: tuple[str, ...] = (
    INTAKE_CASE,
    AUCTIONS_ASSET,
    COMPLAINTS_COMPLAINT,
    RECOVERY_DEBT,
    STATISTICS_REPORT,
    AUDIT_ANCHOR,
    ONLINE_FILING,
)
PARTITIONS = 3
# The credit institutions the platform serves a feed to (their names: recovery_service.institutions).
# Each has its topic thads.bankfeed.<code>, created with the others (auto-creation is off).
BANK_CODES: tuple[str, ...] = ("VCB", "BIDV", "VIETINBANK", "AGRIBANK", "TCB", "MB", "ACB", "VPBANK", "SHB",
                                "SACOMBANK", "VAMC")


def bank_feed(bank_code: str) -> str:
    return f"{BANK_FEED_PREFIX}{bank_code}"


ALL_TOPICS: tuple[str, ...] = DOMAIN_TOPICS + (AUDIT_CHAIN_HEADS, AUDIT_ACCESS, DEAD_LETTER) + tuple(bank_feed(c) for c in BANK_CODES)
