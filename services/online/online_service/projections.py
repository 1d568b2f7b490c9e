"""The online service's tables and SQL (schema "online"):

- `filings`: one row per filing (its public state), written IN THE SAME TRANSACTION as the filing's
  events (Online.record adds the write): the inbox, the overdue list, the citizen's list and the
  case → filing lookup of the milestone consumer are never behind the store;
- `notices`: the notices outbox — one row per step that concerns the citizen, written in the same
  transaction as that step's event (notices.py sends and marks them);
- `filing_personal_data` and `filing_attachments`: personal data (personal_data.py), written with the
  submission or correction command.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable
from uuid import UUID, uuid5

from .domain import STATUS_LABELS, STEP_LABELS, Filing, vn_date


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def ddl(schema: str) -> str:
    return f"""
    CREATE TABLE IF NOT EXISTS "{schema}".filings (
        filing_id uuid PRIMARY KEY,
        tracking_code text NOT NULL UNIQUE,
        unit text NOT NULL,
        status text NOT NULL,
        case_id uuid,
        review_due_on date NOT NULL,
        filed_at timestamptz NOT NULL,
        version integer NOT NULL,
        state jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS filings_unit ON "{schema}".filings (unit, status);
    CREATE INDEX IF NOT EXISTS filings_case ON "{schema}".filings (case_id);
    CREATE TABLE IF NOT EXISTS "{schema}".notices (
        notice_id uuid PRIMARY KEY,
        filing_id uuid NOT NULL,
        step text NOT NULL,
        text_vi text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        sent_via text
    );
    CREATE INDEX IF NOT EXISTS notices_unsent ON "{schema}".notices (created_at) WHERE sent_at IS NULL;
    CREATE TABLE IF NOT EXISTS "{schema}".filing_personal_data (
        filing_id uuid PRIMARY KEY,
        owner_sub text,
        requester jsonb,
        debtor jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS filing_personal_data_owner ON "{schema}".filing_personal_data (owner_sub, created_at);
    CREATE TABLE IF NOT EXISTS "{schema}".filing_attachments (
        filing_id uuid NOT NULL,
        sha256 text NOT NULL,
        kind text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL,
        filename text,
        content bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (filing_id, sha256)
    );
    """


def ensure_tables_sync(recorder: Any, schema: str) -> None:
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(ddl(schema))


def public_state(f: Filing, today: date | None = None) -> dict[str, Any]:
    """What the citizen and the clerk see of a filing: no personal data, no internal notes beyond
    what the office wrote to the citizen (the send-back's list and note, the refusal's ground)."""
    return {
        "tracking_code": f.tracking_code, "filing_id": str(f.id), "unit": f.unit, "suggested_unit": f.suggested_unit,
        "status": f.status.value, "status_label": STATUS_LABELS[f.status], "version": f.version,
        "filed_at": f.filed_at.isoformat(), "review_due_on": f.review_due_on.isoformat(),
        "case_id": str(f.case_id) if f.case_id else None,
        "missing": f.missing, "note": f.note, "refusal_ground": f.refusal_ground,
        "details": f.details,
        "history": [h | {"label": STEP_LABELS.get(h["step"], h["step"])} for h in f.history],
        "milestones": f.milestones,
    }


def upsert_write(schema: str, filings: Iterable[Filing]):
    rows = [(f.id, f.tracking_code, f.unit, f.status.value, f.case_id, f.review_due_on, f.filed_at, f.version,
             _json(public_state(f))) for f in filings]

    def write(curs: Any) -> None:
        if curs is None:
            return
        for row in rows:
            curs.execute(
                f'INSERT INTO "{schema}".filings (filing_id, tracking_code, unit, status, case_id, review_due_on,'
                f' filed_at, version, state) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)'
                f' ON CONFLICT (filing_id) DO UPDATE SET unit = EXCLUDED.unit, status = EXCLUDED.status,'
                f' case_id = EXCLUDED.case_id, review_due_on = EXCLUDED.review_due_on, version = EXCLUDED.version,'
                f' state = EXCLUDED.state WHERE "{schema}".filings.version < EXCLUDED.version', row)
    return write


def notice_text(name: str, f: Filing, event: Any) -> str | None:
    code = f.tracking_code
    if name == "Submitted":
        return (f"Đơn yêu cầu thi hành án trực tuyến mã {code} đã được nộp. Cơ quan thi hành án sẽ xem xét "
                f"và thông báo nếu cần bổ sung chậm nhất ngày {vn_date(f.review_due_on)}.")
    if name == "SentBack":
        from .domain import MISSING_LABELS
        items = "; ".join(MISSING_LABELS.get(m, m) for m in event.missing)
        return f"Đơn mã {code} cần bổ sung: {items}. Vui lòng sửa đổi, bổ sung đơn trên cổng trực tuyến."
    if name == "Corrected":
        return f"Đơn mã {code} đã được bổ sung và đang chờ cơ quan thi hành án xem xét lại."
    if name == "Accepted":
        return f"Đơn mã {code} đã được tiếp nhận. Việc thi hành án đã được mở; bạn có thể theo dõi trên cổng."
    if name == "Refused":
        from .domain import REFUSAL_GROUNDS
        return f"Đơn mã {code} bị từ chối: {REFUSAL_GROUNDS.get(event.ground, event.ground)}."
    if name == "CaseMilestone":
        return f"Việc thi hành án theo đơn mã {code}: {event.label}."
    return None


def notices_write(schema: str, items: list[tuple[Filing, Any]]):
    rows = []
    for f, ev in items:
        name = type(ev).__name__
        text = notice_text(name, f, ev)
        if text is not None:
            rows.append((uuid5(f.id, f"notice/{ev.originator_version}"), f.id, name, text))

    def write(curs: Any) -> None:
        if curs is None:
            return
        for row in rows:
            curs.execute(f'INSERT INTO "{schema}".notices (notice_id, filing_id, step, text_vi)'
                         f' VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING', row)
    return write


def filing_of_case_sync(recorder: Any, schema: str, case_id: UUID) -> UUID | None:
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(f'SELECT filing_id FROM "{schema}".filings WHERE case_id = %s', (case_id,))
        row = curs.fetchone()
    return row["filing_id"] if row else None
