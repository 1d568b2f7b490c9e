"""Tamper evidence: a hash chain over every stored event of a service's store (architecture §5).

The link (version 1 of the rule, never change it without a new name):

    hash(e) = SHA-256( prev
                       || originator_id (16 bytes, the UUID's bytes)
                       || originator_version (8 bytes, big-endian, signed)
                       || len(topic) (4 bytes, big-endian) || topic (UTF-8)
                       || state (the stored bytes, exactly as in the events table) )

where `prev` is the hash of the previous event of the SAME stream (originator id), i.e. the event
at version - 1, and 32 zero bytes (`GENESIS`) for a stream's first event (version 1). Streams are
contiguous: versions 1, 2, 3, ... (the library numbers them so).

Where it is kept: `<schema>.<app>_chain (originator_id, originator_version, hash)`, one row per event,
written by the store's recorder (store.CommandRecorder) in the SAME transaction as the events, after
taking the events table's EXCLUSIVE lock (so the previous hash it reads is the committed head). A
save whose stream has no hash for version - 1 is refused (`ChainBrokenError`): the chain is never
silently re-based on an event that may have been tampered with.

Stores older than the chain (genesis/backfill rule): the first time a store's recorder creates its
tables and finds events without a chain, it chains all of them ONCE, in one transaction under the
events table's lock, and records that in `<app>_chain_genesis` (up to which notification id, how
many events, when). Their content before that moment is not proven; everything after is. Later
starts never backfill again, so a deleted hash is a finding, not something quietly repaired.

What the chain alone proves: any change made to the events table without going through this code
(an edited byte, a deleted, inserted or reordered row) breaks a link. What it cannot prove alone: a
tail cut off together with its hashes, or a stream rewritten with recomputed hashes. For those the
store periodically reports its stream heads (stream, version, hash) to Kafka (`ChainHeadPublisher`
→ `thads.audit.chainheads`); the audit service keeps them and signs a Merkle root over all heads
(an anchor, `thads.audit.anchor`). `verify_store` checks a store against the anchored heads: a
stream shorter than an anchored version (truncation) or whose recomputed hash at that version
differs (rewrite) is named. Events after the latest anchor are protected by the chain only.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import struct
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence
from uuid import UUID

from .tasks import BackgroundTask

log = logging.getLogger(__name__)

GENESIS = bytes(32)
GENESIS_SQL = "'\\x" + "00" * 32 + "'::bytea"
RULE = "thads-chain-v1"


def link(prev: bytes, originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """The hash of one stored event given the hash of the previous event of its stream."""
    t = topic.encode()
    h = hashlib.sha256(b"".join((prev, originator_id.bytes, _PACK(version, len(t)), t)))
    h.update(state)
    return h.digest()


_PACK = struct.Struct(">qI").pack


class ChainBrokenError(Exception):
    """A stream's hash chain has no hash for the previous event: the store was changed outside the
    event store. New events of that stream are refused until `thads verify` is looked at."""

    rule = "tamper evidence: a stream's hash chain must be unbroken to append to it"
    legal_basis = None
    message_vi = ("Chuỗi băm của hồ sơ bị đứt (dữ liệu đã bị sửa ngoài hệ thống); không ghi thêm sự kiện "
                  "cho hồ sơ này. Hãy chạy kiểm tra toàn vẹn (thads verify)")


# --- the recorder side (psycopg, inside the events transaction) -------------------------------
class ChainTables:
    """SQL of one store's chain; used by store.CommandRecorder."""

    def __init__(self, schema: str, events_table: str) -> None:
        self.schema = schema
        self.events = f'"{schema}"."{events_table}"'
        prefix = events_table.removesuffix("_events")
        self.chain_name = f"{prefix}_chain"
        self.chain = f'"{schema}"."{prefix}_chain"'
        self.genesis = f'"{schema}"."{prefix}_chain_genesis"'
        self.fold_statement = self.fold_sql()

    def ddl(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.chain} (originator_id uuid NOT NULL,"
            " originator_version bigint NOT NULL, hash bytea NOT NULL,"
            " PRIMARY KEY (originator_id, originator_version))",
            f"CREATE TABLE IF NOT EXISTS {self.genesis} (one boolean PRIMARY KEY DEFAULT true CHECK (one),"
            " rule text NOT NULL, backfilled_through bigint NOT NULL, backfilled_events bigint NOT NULL,"
            " created_at timestamptz NOT NULL DEFAULT now())",
        ]

    def lock(self, curs: Any) -> None:
        curs.execute(f"LOCK TABLE {self.events} IN EXCLUSIVE MODE")

    def backfill(self, conn: Any) -> int:
        """Chain every event stored before the chain existed, once per store (module docstring)."""
        with conn.transaction(), conn.cursor() as curs:
            self.lock(curs)
            curs.execute(f"SELECT 1 FROM {self.genesis}")
            if curs.fetchone() is not None:
                return 0
            curs.execute(f"SELECT coalesce(max(notification_id), 0) AS m FROM {self.events}")
            through = _first(curs.fetchone())
            rows: list[tuple[UUID, int, bytes]] = []
            prev_id, prev = None, GENESIS
            with conn.cursor(name="chain_backfill") as read:
                read.execute(f"SELECT originator_id, originator_version, topic, state FROM {self.events}"
                             " ORDER BY originator_id, originator_version")
                for r in read:
                    oid, ver, topic, state = _row(r, "originator_id", "originator_version", "topic", "state")
                    if oid != prev_id:
                        prev_id, prev = oid, GENESIS
                    prev = link(prev, oid, ver, topic, bytes(state))
                    rows.append((oid, ver, prev))
            if rows:
                with curs.copy(f"COPY {self.chain} (originator_id, originator_version, hash) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
            curs.execute(f"INSERT INTO {self.genesis} (rule, backfilled_through, backfilled_events)"
                         " VALUES (%s, %s, %s)", (RULE, through, len(rows)))
        if rows:
            log.warning("hash chain started on an existing store: %d events chained as they are "
                        "(through notification id %d)", len(rows), through)
        return len(rows)

    def fold_sql(self) -> str:
        """ONE statement that chains a save's events: each link's hash is SHA-256(previous hash ||
        the event's bytes as `link` lays them out after `prev`), the previous hash of a stream's first
        event in the save read from the chain table IN the statement (no lookup round trip before the
        insert: 25-35 % of a single-event transaction, issue 13), the next ones from the row before.
        A stream with no hash for version - 1 gives a NULL hash, which the NOT NULL column refuses:
        `CommandRecorder` turns that refusal into ChainBrokenError."""
        return (
            f"WITH RECURSIVE w(i, v, first, x) AS ("
            f" SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::bool[], %s::bytea[])),"
            f" c(i, v, h) AS ("
            f" SELECT w.i, w.v, sha256(CASE WHEN w.v = 1 THEN {GENESIS_SQL} ELSE p.hash END || w.x)"
            f" FROM w LEFT JOIN {self.chain} p ON p.originator_id = w.i AND p.originator_version = w.v - 1"
            f" WHERE w.first"
            f" UNION ALL"
            f" SELECT w.i, w.v, sha256(c.h || w.x) FROM c JOIN w ON w.i = c.i AND w.v = c.v + 1 AND NOT w.first)"
            f" INSERT INTO {self.chain} (originator_id, originator_version, hash) SELECT i, v, h FROM c")

    def fold(self, curs: Any, stored_events: Sequence[Any]) -> None:
        """Chain `stored_events` in the caller's transaction, after their INSERT (so a version
        conflict fails there first) and under the events table's lock (taken for that INSERT), so
        the previous hashes read are the committed heads."""
        if not stored_events:
            return
        events = sorted(stored_events, key=lambda e: (str(e.originator_id), e.originator_version))
        ids, versions, first, rest = [], [], [], []
        prev_id = None
        for e in events:
            oid = _uuid(e.originator_id)
            t = e.topic.encode()
            ids.append(oid)
            versions.append(e.originator_version)
            first.append(oid != prev_id)
            rest.append(b"".join((oid.bytes, _PACK(e.originator_version, len(t)), t, e.state)))
            prev_id = oid
        curs.execute(self.fold_statement, (ids, versions, first, rest))

    def broken(self, exc: BaseException) -> bool:
        """Whether a failed save was refused by the fold for a missing previous hash."""
        cause = exc if getattr(exc, "diag", None) is not None else exc.__cause__
        diag = getattr(cause, "diag", None)
        return (diag is not None and getattr(cause, "sqlstate", None) == "23502"
                and diag.table_name == self.chain_name and diag.column_name == "hash")

    def missing_link(self, conn: Any, stored_events: Sequence[Any]) -> ChainBrokenError:
        """The refusal naming the first stream of `stored_events` whose previous hash is missing."""
        first: dict[UUID, int] = {}
        for e in stored_events:
            oid = _uuid(e.originator_id)
            first[oid] = min(first.get(oid, e.originator_version), e.originator_version)
        for oid, v in sorted(first.items(), key=lambda kv: str(kv[0])):
            if v <= 1:
                continue
            with conn.cursor() as curs:
                curs.execute(f"SELECT 1 FROM {self.chain} WHERE originator_id = %s AND originator_version = %s",
                             (oid, v - 1))
                if curs.fetchone() is None:
                    return ChainBrokenError(f"stream {oid}: no chain hash for version {v - 1}; refusing to "
                                            f"append version {v} (run `thads verify`)")
        return ChainBrokenError("a stream's chain has no hash for the version before the one appended "
                                "(run `thads verify`)")


def _uuid(v: Any) -> UUID:
    return v if isinstance(v, UUID) else UUID(str(v))


def _row(r: Any, *names: str) -> tuple[Any, ...]:
    if isinstance(r, dict):
        return tuple(r[n] for n in names)
    return tuple(r)


def _tuples(conn: Any) -> bool:
    from psycopg.rows import tuple_row
    return conn.row_factory is tuple_row


def _first(r: Any) -> Any:
    return next(iter(r.values())) if isinstance(r, dict) else r[0]


# --- Merkle root and signatures ----------------------------------------------------------------
def head_leaf(service: str, store: str, stream: UUID | str, version: int, hash_: bytes) -> bytes:
    """A leaf of an anchor: one stream head. RFC 6962 style (0x00 prefix for leaves)."""
    data = f"{service}\x1f{store}\x1f{stream}\x1f{version}\x1f{hash_.hex()}".encode()
    return hashlib.sha256(b"\x00" + data).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash (RFC 6962 §2.1: 0x01 prefix for nodes, the left subtree the largest power of
    two smaller than n) over leaf hashes in the given order; the empty tree is SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])      # an odd node is promoted unchanged
        level = nxt
    return level[0]


def anchor_message(number: int, created_at: str, cutoff: int, leaves: int, root: bytes, prev_root: bytes) -> bytes:
    """The exact bytes an anchor's Ed25519 signature covers (the contract's definition)."""
    from thads_contracts.audit import anchor_bytes
    return anchor_bytes(number, created_at, cutoff, leaves, root.hex(), prev_root.hex())


def iso(dt: Any) -> str:
    """An anchor's time as signed: UTC, microseconds (what timestamptz keeps)."""
    from datetime import timezone
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


DEV_ANCHOR_SEED = hashlib.sha256(b"thads development anchor key - never use in production").digest()


def signing_key(seed_b64: str | None) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    seed = base64.b64decode(seed_b64) if seed_b64 else DEV_ANCHOR_SEED
    if len(seed) != 32:
        raise ValueError("the anchor signing key must be a base64-encoded 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(key: Any) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def dev_public_key_b64() -> str:
    return public_key_b64(signing_key(None))


def signature_valid(public_b64: str, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64)).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


# --- verification ------------------------------------------------------------------------------
@dataclass
class Finding:
    """The first bad event of one stream (or one bad anchor)."""
    service: str
    stream: str                     # originator id (the case id for a case's events), or "anchor N"
    version: int | None
    notification_id: int | None
    problem: str                    # edited | deleted | inserted | reordered | truncated | anchor...
    detail: str

    def line(self) -> str:
        where = [f"{self.service}", f"stream {self.stream}"]
        if self.version is not None:
            where.append(f"version {self.version}")
        if self.notification_id is not None:
            where.append(f"notification {self.notification_id}")
        return f"{' '.join(where)}: {self.problem}: {self.detail}"


@dataclass
class StoreReport:
    service: str
    store: str
    streams: int = 0
    events: int = 0
    backfilled_through: int | None = None
    findings: list[Finding] = field(default_factory=list)
    heads: dict[str, tuple[int, bytes]] = field(default_factory=dict)   # stream -> (version, hash)

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.service, "store": self.store, "streams": self.streams, "events": self.events,
                "backfilled_through": self.backfilled_through,
                "intact": not self.findings, "findings": [asdict(f) for f in self.findings]}


AnchoredHeads = dict[str, list[tuple[int, bytes, int]]]   # stream -> [(version, hash, anchor number)]


def verify_rows(service: str, rows: Iterable[Sequence[Any]], report: StoreReport,
                anchored: AnchoredHeads | None = None) -> StoreReport:
    """Walk a store's rows ordered by (stream, version): (stream, version, notification_id, topic,
    state, stored_hash) where the event columns are None for a hash without an event and stored_hash
    None for an event without a hash. Records the first bad event of each stream in `report`."""
    anchored = anchored or {}
    seen: set[str] = set()

    def streams() -> Iterator[tuple[str, list[Sequence[Any]]]]:
        cur: Any = None
        buf: list[Sequence[Any]] = []
        for r in rows:
            if r[0] != cur and buf:
                yield str(cur), buf
                buf = []
            cur = r[0]
            buf.append(r)
        if buf:
            yield str(cur), buf

    for stream, srows in streams():
        seen.add(stream)
        report.streams += 1
        finding = _verify_stream(service, stream, srows, report, anchored.get(stream, []))
        if finding:
            report.findings.append(finding)
    for stream, heads in anchored.items():
        if stream not in seen:
            v, h, n = max(heads)
            report.findings.append(Finding(service, stream, 1, None, "truncated",
                                           f"the whole stream is gone; anchor {n} recorded its head at version {v}"))
    return report


def _verify_stream(service: str, stream: str, rows: list[Sequence[Any]], report: StoreReport,
                   anchored: list[tuple[int, bytes, int]]) -> Finding | None:
    prev = GENESIS
    expected = 1
    checks = {v: (h, n) for v, h, n in anchored} if anchored else {}
    last_version = 0
    for oid, version, nid, topic, state, stored in rows:
        if topic is None and state is None and nid is None:
            return Finding(service, stream, version, None, "deleted",
                           "the chain holds a hash for this version but the event is gone")
        report.events += 1
        if version != expected:
            if version > expected:
                return Finding(service, stream, expected, None, "deleted",
                               f"version {expected} is missing (the stream jumps to version {version}, "
                               f"notification {nid})")
            return Finding(service, stream, version, nid, "inserted", f"unexpected version {version}")
        if stored is None:
            return Finding(service, stream, version, nid, "inserted",
                           "the event has no chain hash: it was written outside the event store "
                           "(or its hash was deleted)")
        h = link(prev, oid if isinstance(oid, UUID) else UUID(str(oid)), version, topic, bytes(state))
        if h != bytes(stored):
            return Finding(service, stream, version, nid, "edited",
                           "the event's bytes (topic, state or version) differ from those that were chained: "
                           "edited, or events reordered")
        if checks and version in checks and checks[version][0] != h:
            return Finding(service, stream, version, nid, "rewritten",
                           f"the stream was rewritten: its hash at version {version} differs from the one "
                           f"signed in anchor {checks[version][1]}")
        prev = h
        last_version = version
        expected += 1
    report.heads[stream] = (last_version, prev)
    over = [(v, n) for v, _h, n in anchored if v > last_version] if anchored else None
    if over:
        v, n = max(over)
        return Finding(service, stream, last_version + 1, None, "truncated",
                       f"the stream ends at version {last_version} but anchor {n} recorded version {v}: "
                       f"events {last_version + 1}..{v} were cut off")
    return None


def store_query(tables: ChainTables, case_id: UUID | None) -> tuple[str, tuple[Any, ...]]:
    where = " WHERE originator_id = %s" if case_id else ""
    sql = (f"SELECT originator_id, originator_version, e.notification_id, e.topic, e.state, c.hash"
           f" FROM {tables.events} e FULL OUTER JOIN {tables.chain} c USING (originator_id, originator_version)"
           f"{where} ORDER BY originator_id, originator_version")
    return sql, ((case_id,) if case_id else ())


def verify_store(conn: Any, service: str, schema: str, events_table: str, *, case_id: UUID | None = None,
                 anchored: AnchoredHeads | None = None) -> StoreReport:
    """Recompute one store's chain (psycopg connection, read-only)."""
    tables = ChainTables(schema, events_table)
    report = StoreReport(service, f"{schema}.{events_table}")
    with conn.cursor() as curs:
        curs.execute(f"SELECT backfilled_through FROM {tables.genesis}")
        r = curs.fetchone()
        report.backfilled_through = _first(r) if r else None
    if anchored and case_id:
        anchored = {k: v for k, v in anchored.items() if k == str(case_id)}
    sql, params = store_query(tables, case_id)
    with conn.transaction(), conn.cursor(name="chain_verify") as curs:
        curs.itersize = 5000
        curs.execute(sql, params)
        rows = curs if _tuples(conn) else (
            _row(r, "originator_id", "originator_version", "notification_id", "topic", "state", "hash")
            for r in curs)
        verify_rows(service, rows, report, anchored)
    return report


def find_stores(conn: Any, schemas: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(schema, events table) of every chained store in the database."""
    with conn.cursor() as curs:
        curs.execute("SELECT table_schema, table_name FROM information_schema.tables"
                     " WHERE table_name LIKE '%%\\_chain' ORDER BY 1, 2")
        found = []
        for r in curs.fetchall():
            schema, chain = _row(r, "table_schema", "table_name")
            if schemas and schema not in schemas:
                continue
            found.append((schema, chain.removesuffix("_chain") + "_events"))
        return found


# --- anchors as the audit service keeps them (read side for the verifier) ------------------------
@dataclass
class AnchorCheck:
    anchors: int = 0
    latest: int | None = None
    findings: list[Finding] = field(default_factory=list)
    heads: dict[str, AnchoredHeads] = field(default_factory=dict)    # store -> stream -> heads


def check_anchors(conn: Any, schema: str, public_b64: str) -> AnchorCheck:
    """Verify the audit service's anchors: every signature with the trusted public key, the chain of
    anchors (numbers contiguous, each names the previous root), and the latest anchor's Merkle root
    recomputed from the head log it covers. Returns the anchored heads of the latest valid anchor."""
    out = AnchorCheck()
    with conn.cursor() as curs:
        curs.execute("SELECT to_regclass(%s) AS t", (f"{schema}.chain_anchor",))
        if _first(curs.fetchone()) is None:
            return out
        curs.execute(f"SELECT number, created_at, cutoff, leaves, root, prev_root, signature"
                     f" FROM {schema}.chain_anchor ORDER BY number")
        anchors = [_row(r, "number", "created_at", "cutoff", "leaves", "root", "prev_root", "signature")
                   for r in curs.fetchall()]
    out.anchors = len(anchors)
    prev_root, expected, valid = GENESIS, 1, None
    for number, created_at, cutoff, leaves, root, prev, sig in anchors:
        msg = anchor_message(number, iso(created_at), cutoff, leaves, bytes(root), bytes(prev))
        problem = None
        if number != expected:
            problem = f"anchor {expected} is missing (next is {number})"
        elif bytes(prev) != prev_root:
            problem = "its previous root does not match the anchor before it"
        elif not signature_valid(public_b64, msg, bytes(sig)):
            problem = "bad signature (not signed by the anchor key, or its fields were changed)"
        if problem:
            out.findings.append(Finding("audit", f"anchor {number}", None, None, "anchor", problem))
            break
        valid = (number, cutoff, leaves, bytes(root))
        prev_root, expected = bytes(root), expected + 1
    if valid is None:
        return out
    number, cutoff, leaves, root = valid
    out.latest = number
    heads = anchored_heads(conn, schema, cutoff)
    leaf_hashes = [head_leaf(*h) for h in heads]
    if len(leaf_hashes) != leaves or merkle_root(leaf_hashes) != root:
        out.findings.append(Finding("audit", f"anchor {number}", None, None, "anchor",
                                    f"the head log no longer gives the signed Merkle root ({len(leaf_hashes)} "
                                    f"heads, {leaves} signed): the audit schema's head log was changed"))
        return out
    for service, store, stream, version, h in heads:
        out.heads.setdefault(store, {}).setdefault(str(stream), []).append((version, h, number))
    return out


def anchored_heads(conn: Any, schema: str, cutoff: int) -> list[tuple[str, str, str, int, bytes]]:
    """The latest head of every stream reported up to head-log id `cutoff`, in leaf order."""
    with conn.cursor() as curs:
        curs.execute(HEADS_SQL.format(schema=schema), (cutoff,))
        return [(s, st, str(x), v, bytes(h)) for s, st, x, v, h in
                (_row(r, "service", "store", "stream", "version", "hash") for r in curs.fetchall())]


HEADS_SQL = ("SELECT service, store, stream, version, hash FROM ("
             " SELECT DISTINCT ON (store, stream) service, store, stream, version, hash"
             " FROM {schema}.chain_head_log WHERE id <= %s ORDER BY store, stream, version DESC) h"
             " ORDER BY store, stream")


@dataclass
class Verification:
    stores: list[StoreReport]
    anchors: AnchorCheck

    @property
    def intact(self) -> bool:
        return not self.anchors.findings and all(not r.findings for r in self.stores)

    @property
    def findings(self) -> list[Finding]:
        return self.anchors.findings + [f for r in self.stores for f in r.findings]

    def as_dict(self) -> dict[str, Any]:
        return {"intact": self.intact, "anchors": {"count": self.anchors.anchors, "latest": self.anchors.latest},
                "stores": [r.as_dict() for r in self.stores],
                "first_bad": [asdict(f) for f in self.findings]}


def verify_database(conn: Any, *, services: Sequence[str] | None = None, case_id: UUID | None = None,
                    audit_schema: str | None = "audit", public_key: str | None = None) -> Verification:
    """Everything `thads verify` checks: the anchors (when `audit_schema` has them and a trusted
    `public_key` is given), then every chained store of `services` (schemas; all when None)
    recomputed against its chain and the latest anchor's heads."""
    anchors = check_anchors(conn, audit_schema, public_key) if audit_schema and public_key else AnchorCheck()
    reports = []
    stores = find_stores(conn, services)
    for schema, events_table in stores:
        store = f"{schema}.{events_table}"
        reports.append(verify_store(conn, schema, schema, events_table, case_id=case_id,
                                    anchored=anchors.heads.get(store)))
    known = {f"{s}.{t}" for s, t in stores}
    for store, heads in anchors.heads.items():
        if store not in known and (not services or store.split(".")[0] in services):
            anchors.findings.append(Finding(store.split(".")[0], store, None, None, "truncated",
                                            f"the store is gone; the latest anchor holds {len(heads)} of its streams"))
    return Verification(reports, anchors)


# --- the head publisher (every service with a store) --------------------------------------------
class ChainHeadPublisher(BackgroundTask):
    """Reports the store's new stream heads to Kafka every `every` seconds (one active per store:
    advisory lock). Position (the last notification id reported) is stored after Kafka's ack."""

    def __init__(self, *, service: str, schema: str, events_table: str, pg: dict[str, Any], kafka_url: str,
                 every: float = 5.0, chunk: int = 2000) -> None:
        self.service, self.schema, self.events_table = service, schema, events_table
        self.tables = ChainTables(schema, events_table)
        self.store = f"{schema}.{events_table}"
        self.pg, self.kafka_url, self.every, self.chunk = pg, kafka_url, every, chunk
        self.position = 0

    def task_name(self) -> str:
        return f"chain-heads-{self.service}"

    async def _run(self) -> None:
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("chain head publication failed; retrying")
                await asyncio.sleep(self.every)

    async def _run_once(self) -> None:
        import asyncpg
        from aiokafka import AIOKafkaProducer

        conn = await asyncpg.connect(**self.pg)
        from .settings import bootstrap_servers
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(self.kafka_url), enable_idempotence=True,
                                    acks="all")
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"chain-heads:{self.store}"):
                await asyncio.sleep(self.every)
            await conn.execute(f'CREATE TABLE IF NOT EXISTS "{self.schema}".chain_head_position ('
                               " store text PRIMARY KEY, notification_id bigint NOT NULL)")
            self.position = await conn.fetchval(
                f'SELECT notification_id FROM "{self.schema}".chain_head_position WHERE store = $1',
                self.store) or 0
            await producer.start()
            while True:
                await self.publish_once(conn, producer)
                await asyncio.sleep(self.every)
        finally:
            await producer.stop()
            await conn.close()

    async def publish_once(self, conn: Any, producer: Any) -> int:
        from thads_contracts.audit import ChainHead, ChainHeadsReported
        from thads_contracts.topics import AUDIT_CHAIN_HEADS

        rows = await conn.fetch(
            f"SELECT DISTINCT ON (e.originator_id) e.originator_id, e.originator_version, e.notification_id, c.hash"
            f" FROM {self.tables.events} e JOIN {self.tables.chain} c USING (originator_id, originator_version)"
            f" WHERE e.notification_id > $1 ORDER BY e.originator_id, e.originator_version DESC", self.position)
        if not rows:
            return 0
        through = max(r["notification_id"] for r in rows)
        heads = sorted(rows, key=lambda r: r["notification_id"])
        futures = []
        for i in range(0, len(heads), self.chunk):
            part = heads[i:i + self.chunk]
            msg = ChainHeadsReported(
                service=self.service, store=self.store,
                through_notification_id=through if i + self.chunk >= len(heads) else part[-1]["notification_id"],
                heads=[ChainHead(stream=r["originator_id"], version=r["originator_version"],
                                 hash=bytes(r["hash"]).hex()) for r in part])
            futures.append(await producer.send(AUDIT_CHAIN_HEADS, msg.model_dump_json().encode(),
                                               key=self.store.encode(), headers=[("thads-store", self.store.encode())]))
        await asyncio.gather(*futures)
        await conn.execute(
            f'INSERT INTO "{self.schema}".chain_head_position (store, notification_id) VALUES ($1, $2)'
            " ON CONFLICT (store) DO UPDATE SET notification_id = EXCLUDED.notification_id", self.store, through)
        self.position = through
        return len(rows)
