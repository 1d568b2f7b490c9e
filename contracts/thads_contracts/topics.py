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

DOMAIN_TOPICS: tuple[str, ...] = (
    INTAKE_CASE,
    AUCTIONS_ASSET,
    COMPLAINTS_COMPLAINT,
    RECOVERY_DEBT,
    STATISTICS_REPORT,
    AUDIT_ANCHOR,
)
ALL_TOPICS: tuple[str, ...] = DOMAIN_TOPICS + (AUDIT_CHAIN_HEADS, AUDIT_ACCESS, DEAD_LETTER)
PARTITIONS = 3


def bank_feed(bank_code: str) -> str:
    return f"{BANK_FEED_PREFIX}{bank_code}"
