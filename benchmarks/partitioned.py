"""The settlement's write pattern on a ledger hash-partitioned by person (issue 17, item 5).

One PostgreSQL stands in for one node of the national plan (``docs/operations.md``, "Past one
machine"): a scratch database holds the same ledger and settlement tables three times — plain
(unpartitioned), ``PARTITION BY HASH (person_id)`` with 16 and with 64 partitions; the 64 are
run twice, routed by the server and addressed by name (``h64-direct``: the client holds the
person → partition map, as a Citus router does) — loaded with the same persons' rows
(server-side ``generate_series``, default 2 million ledger rows and 500,000 earlier settlements
each), and several connections run what ``medical/service.py: _settle`` does to the database,
with psycopg directly (no app):

    INSERT ledger row ON CONFLICT DO NOTHING; SELECT … FOR UPDATE (the lock, ledger.py: _lock);
    the idempotency look-up; INSERT the settlement; UPDATE the totals; COMMIT

for a uniformly drawn person (at 1.3 billion insured two settlements of one person almost never
meet; ``benchmarks/contention.py`` simulates when they do). The schemas alternate in
each round, at each number of connections, so the machine's load falls on all alike; printed:
throughput and its ratio to the plain schema, latency p50/p99, the lock hold time (the lock
statement's return to the commit's), and the database CPU per settlement (the backends' own
``/proc`` CPU time, so other sessions' load does not count). Then the audit chain's head: the
same transaction with the audit append of ``foundation/audit.py`` (bump the head, HMAC, insert
the entry, set the head) against one global head row, and against a head per chain (64
chains, the person's chain ``person_id % 64``). Where the server allows prepared
transactions (``max_prepared_transactions`` > 0; the dev server does not), also each
settlement prepared then committed (``PREPARE TRANSACTION``/``COMMIT PREPARED``: one node's
share of a two-phase commit). EXPLAIN shows the pruning to one partition.

The dev server runs with ``fsync=off``: commit latency there is not a durable commit's; run
with ``--url`` against a server with ``fsync=on`` for that (``docs/benchmarks.md`` has both).
No timed assertions; the figures go in ``docs/benchmarks.md`` by hand, and ``--out`` (JSON,
default in /tmp, not committed) feeds ``contention.py``.

Run: ``uv run python benchmarks/partitioned.py [--persons 2000000] [--history 500000]
[--seconds 6] [--rounds 2] [--connections 1,8,32] [--url postgresql://…]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg

YEAR = 2026
TOTALS = [
    *("op_deductible", "op_paid", "ip_paid", "ci_base", "ci_paid", "as_deductible", "as_paid"),
    *("op_cost", "ip_cost", "ta_paid", "cm_deductible", "cm_paid"),
]
CHAINS = 64
KEY = b"bench-audit-key"
# an outpatient settlement's text columns as the app writes them: explanation ~1.1 kB, bill
# ~0.6 kB, inputs ~0.4 kB (measured on one settled outpatient bill; an inpatient one's
# explanation is ~5 kB)
STEP = '{"step":"basic","label":"统筹基金 按比例支付","base":%d,"rate":"0.55","amount":%d},'
BILL = '{"patient":{"person_id":%d},"facility_code":"H54010200001","visit":"outpatient",' + (
    '"lines":[{"code":"A1","category":"甲","unit_price":"%d.00","quantity":"1"}],' * 6
)
INPUTS = '{"scheme":"resident","level":3,"area":"540102","policy":%d,"full_self":0,' * 5


def ddl(schema: str, partitions: int | None) -> list[str]:
    """The ledger and settlement tables of one schema, without their keys (added after the
    load). Partitioned tables need the partition key in every unique constraint: the
    settlement's primary key is (person_id, id) and the idempotency key is unique per person —
    as on Citus, where the distribution column must be in each."""
    part = " PARTITION BY HASH (person_id)" if partitions else ""
    cols = ", ".join(f"{c} bigint NOT NULL DEFAULT 0" for c in TOTALS)
    out = [
        f"DROP SCHEMA IF EXISTS {schema} CASCADE",
        f"CREATE SCHEMA {schema}",
        f"CREATE SEQUENCE {schema}.settlement_id CACHE 1",
        f"CREATE TABLE {schema}.ledger (person_id bigint NOT NULL, year int NOT NULL, {cols},"
        " admissions int NOT NULL DEFAULT 0, settlements int NOT NULL DEFAULT 0)" + part,
        f"CREATE TABLE {schema}.settlements (id bigint NOT NULL"
        f" DEFAULT nextval('{schema}.settlement_id'), kind text NOT NULL, person_id bigint NOT"
        " NULL, year int NOT NULL, facility_id int NOT NULL, idempotency_key text, fingerprint"
        " text, service_date date NOT NULL, visit text NOT NULL, total bigint NOT NULL, basic"
        " bigint NOT NULL, ci bigint NOT NULL, assistance bigint NOT NULL, patient bigint NOT"
        " NULL, account bigint NOT NULL, cash bigint NOT NULL, explanation text NOT NULL, bill"
        " text NOT NULL, inputs text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),"
        " created_by text NOT NULL)" + part,
    ]
    for table in ("ledger", "settlements") if partitions else ():
        out += [
            f"CREATE TABLE {schema}.{table}_p{i} PARTITION OF {schema}.{table}"
            f" FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i})"
            for i in range(partitions)
        ]
    return out


def load(conn: psycopg.Connection[Any], schema: str, persons: int, history: int) -> None:
    sets = ", ".join(f"(g * {7 + i}) % 50000" for i in range(len(TOTALS)))
    conn.execute(
        f"INSERT INTO {schema}.ledger SELECT g, {YEAR}, {sets}, 0, 1"
        f" FROM generate_series(1::bigint, {int(persons)}) g"
    )
    step = STEP.replace("%d", "' || (g % 9999) || '") * 12
    conn.execute(
        f"INSERT INTO {schema}.settlements (kind, person_id, year, facility_id, idempotency_key,"
        " fingerprint, service_date, visit, total, basic, ci, assistance, patient, account, cash,"
        " explanation, bill, inputs, created_by)"
        f" SELECT 'settle', 1 + (g * 7919) % {int(persons)}, {YEAR}, 1, 'token:1:h' || g,"
        " md5(g::text),"
        f" '{YEAR}-03-01', 'outpatient', 20000, 9000, 0, 0, 11000, 0, 11000,"
        f" '[' || '{step}' || ']', md5(g::text) || repeat('x', 560), repeat(md5(g::text), 13),"
        f" 'token:1' FROM generate_series(1::bigint, {int(history)}) g"
    )
    conn.execute(f"ALTER TABLE {schema}.ledger ADD PRIMARY KEY (person_id, year)")
    conn.execute(f"ALTER TABLE {schema}.settlements ADD PRIMARY KEY (person_id, id)")
    conn.execute(
        f"ALTER TABLE {schema}.settlements ADD CONSTRAINT {schema}_idem"
        " UNIQUE (person_id, idempotency_key)"
    )
    conn.execute(f"ANALYZE {schema}.ledger")
    conn.execute(f"ANALYZE {schema}.settlements")


def audit_ddl() -> list[str]:
    """The audit log and its heads: chain 0 is the one global head; chains 0–63 one a shard."""
    return [
        "DROP SCHEMA IF EXISTS audit CASCADE",
        "CREATE SCHEMA audit",
        "CREATE TABLE audit.heads (chain int PRIMARY KEY, seq bigint NOT NULL, last_hash text"
        " NOT NULL)",
        "CREATE TABLE audit.log (chain int NOT NULL, seq bigint NOT NULL, at timestamptz NOT"
        " NULL DEFAULT now(), actor text NOT NULL, action text NOT NULL, record_id text,"
        " detail text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL,"
        " PRIMARY KEY (chain, seq))",
        "INSERT INTO audit.heads SELECT c, 0, repeat('0', 64)"
        f" FROM generate_series(0, {CHAINS - 1}) c",
    ]


def statements(schema: str, part: int | None = None) -> dict[str, str]:
    """The statements of a settlement; with ``part``, addressed to that partition of each table
    by name (the router has found the shard, as on Citus: no routing inside the server)."""
    tail = "" if part is None else f"_p{part}"
    sets = ", ".join(f"{c} = {c} + %(d)s" for c in TOTALS)
    return {
        "new": f"INSERT INTO {schema}.ledger{tail} (person_id, year) VALUES (%(p)s, %(y)s)"
        " ON CONFLICT DO NOTHING",
        "lock": f"SELECT {', '.join(TOTALS)}, admissions, settlements FROM {schema}.ledger{tail}"
        " WHERE person_id = %(p)s AND year = %(y)s FOR UPDATE",
        "key": f"SELECT id FROM {schema}.settlements{tail} WHERE person_id = %(p)s"
        " AND idempotency_key = %(k)s",
        "insert": f"INSERT INTO {schema}.settlements{tail} (kind, person_id, year, facility_id,"
        " idempotency_key, fingerprint, service_date, visit, total, basic, ci, assistance,"
        " patient, account, cash, explanation, bill, inputs, created_by) VALUES ('settle',"
        f" %(p)s, %(y)s, 1, %(k)s, %(f)s, '{YEAR}-12-01', 'outpatient', 20000, 9000, 0, 0, 11000,"
        " 0, 11000, %(e)s, %(b)s, %(i)s, 'token:1') RETURNING id",
        "update": f"UPDATE {schema}.ledger{tail} SET {sets}, settlements = settlements + 1"
        " WHERE person_id = %(p)s AND year = %(y)s",
        "bump": "UPDATE audit.heads SET seq = seq + 1 WHERE chain = %(c)s RETURNING seq, last_hash",
        "append": "INSERT INTO audit.log (chain, seq, actor, action, record_id, detail,"
        " prev_hash, hash) VALUES (%(c)s, %(s)s, 'token:1', 'settle', %(r)s, %(x)s, %(h0)s,"
        " %(h1)s)",
        "head": "UPDATE audit.heads SET last_hash = %(h1)s WHERE chain = %(c)s",
    }


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return -1
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def settle_once(
    conn: psycopg.Connection[Any], sql: dict[str, str], p: int, key: str, d: int, audit: str | None
) -> tuple[float, float]:
    """One settlement's statements (not committed); when the lock was taken and the head."""
    args = {"p": p, "y": YEAR, "k": key, "d": d}
    with conn.cursor() as cur:
        cur.execute(sql["new"], args)
        cur.execute(sql["lock"], args)
        cur.fetchone()
        t1 = time.perf_counter()
        cur.execute(sql["key"], args)
        assert cur.fetchone() is None
        g = p % 9999
        cur.execute(
            sql["insert"],
            {
                **args,
                "f": hashlib.sha256(key.encode()).hexdigest(),
                "e": "[" + (STEP % (g, g)) * 12 + "]",
                "b": BILL % ((p,) + (g,) * 6),
                "i": INPUTS % ((g,) * 5),
            },
        )
        (sid,) = cur.fetchone() or (0,)
        cur.execute(sql["update"], args)
        th = t1
        if audit is not None:
            chain = 0 if audit == "global" else p % CHAINS
            cur.execute(sql["bump"], {"c": chain})
            th = time.perf_counter()
            seq, prev = cur.fetchone() or (0, "")
            detail = json.dumps({"person_id": p, "total": 20000})
            digest = hmac.new(
                KEY, f"{prev}|{seq}|{sid}|{detail}".encode(), hashlib.sha256
            ).hexdigest()
            fields = {"c": chain, "s": seq, "r": str(sid), "x": detail}
            cur.execute(sql["append"], {**fields, "h0": prev, "h1": digest})
            cur.execute(sql["head"], {"c": chain, "h1": digest})
    return t1, th


def run_step(
    url: str,
    schema: str,
    conns: int,
    seconds: float,
    persons: int,
    audit: str | None,
    shard_of: np.ndarray | None = None,
    two_phase: bool = False,
) -> dict[str, Any]:
    """``conns`` threads, one connection each, settling for ``seconds`` after 1 s of warm-up.
    With ``shard_of`` (person → partition), each statement names the person's partition."""
    table = schema.removesuffix("-direct")
    whole = statements(table)
    parts = {} if shard_of is None else {k: statements(table, k) for k in np.unique(shard_of[1:])}
    connections = [psycopg.connect(url, prepare_threshold=0) for _ in range(conns)]
    for c in connections:  # every statement prepared once, a partition's too (not evicted)
        c.prepared_max = 8 * (len(parts) + 1) + 8
    pids = [c.info.backend_pid for c in connections]
    local = urlsplit(url).hostname in ("127.0.0.1", "localhost", None)
    samples: list[list[tuple[float, float, float, float]]] = [[] for _ in range(conns)]
    clock = {"start": 0.0, "warm": 0.0, "stop": 0.0}
    ready = threading.Barrier(conns + 1)
    marks: dict[str, float] = {}
    # one person of each partition: a rolled-back settlement of each prepares every statement
    # on every connection before the clock starts (a server's connections live long)
    sample = (
        [(whole, 1)]
        if shard_of is None
        else [(parts[k], int(np.flatnonzero(shard_of == k)[0])) for k in parts]
    )

    def work(n: int) -> None:
        conn, out = connections[n], samples[n]
        rng = random.Random(n * 7919 + conns)
        for sql, p in sample:
            settle_once(conn, sql, p, f"warm-{n}", 0, None)
            conn.rollback()
        ready.wait()
        i = 0
        while (t0 := time.perf_counter()) < clock["stop"]:
            p = rng.randint(1, persons)
            sql = whole if shard_of is None else parts[shard_of[p]]
            i += 1
            key = f"token:1:{schema}-{audit}-{conns}-{n}-{i}-{t0}"
            if two_phase:  # prepared, then committed: one node's share of a two-phase commit
                conn.tpc_begin(f"b{n}-{i}-{t0:.6f}")
            t1, th = settle_once(conn, sql, p, key, rng.randint(0, 900), audit)
            if two_phase:
                conn.tpc_prepare()
                conn.tpc_commit()
            else:
                conn.commit()
            t2 = time.perf_counter()
            if t0 >= clock["warm"]:
                out.append((t0, t1, th, t2))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(conns)]
    for t in threads:
        t.start()
    now = time.perf_counter()
    clock.update(start=now, warm=now + 1e9, stop=now + 1e9)
    ready.wait()
    now = time.perf_counter()
    clock.update(warm=now + 1.0, stop=now + 1.0 + seconds)
    while time.perf_counter() < clock["warm"]:
        time.sleep(0.01)
    marks["cpu0"], marks["ticks0"] = time.process_time(), cpu_ticks(pids) if local else -1
    for t in threads:
        t.join()
    ticks1 = cpu_ticks(pids) if local else -1
    client_cpu = time.process_time() - marks["cpu0"]
    for c in connections:
        c.close()
    rows = np.array([s for per in samples for s in per])
    n = len(rows)
    lat = (rows[:, 3] - rows[:, 0]) * 1e3
    hold = (rows[:, 3] - rows[:, 1]) * 1e3
    head = (rows[:, 3] - rows[:, 2]) * 1e3
    tick_ms = 1e3 / os.sysconf("SC_CLK_TCK")
    db_cpu = (ticks1 - marks["ticks0"]) * tick_ms / n if marks["ticks0"] >= 0 <= ticks1 else None
    return {
        "schema": schema,
        "connections": conns,
        "audit": audit if not two_phase else "2pc",
        "settlements": n,
        "per_s": n / seconds,
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "hold_p50_ms": float(np.percentile(hold, 50)),
        "hold_p99_ms": float(np.percentile(hold, 99)),
        "hold_mean_ms": float(hold.mean()),
        "head_p50_ms": float(np.percentile(head, 50)) if audit else None,
        "head_p99_ms": float(np.percentile(head, 99)) if audit else None,
        "head_mean_ms": float(head.mean()) if audit else None,
        "db_cpu_ms": db_cpu,
        "client_cpu_ms": client_cpu * 1e3 / n,
    }


def partition_map(conn: psycopg.Connection[Any], schema: str, persons: int) -> np.ndarray:
    """The router's table: each person's partition, as the server placed the rows (on Citus the
    coordinator's shard ranges of the same hash)."""
    out = np.full(persons + 1, -1, dtype=np.int16)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT person_id, substring(tableoid::regclass::text from '_p([0-9]+)$')::int"
            f" FROM {schema}.ledger WHERE year = {YEAR}"
        )
        while rows := cur.fetchmany(200_000):
            a = np.array(rows, dtype=np.int64)
            out[a[:, 0]] = a[:, 1]
    return out


def explain(conn: psycopg.Connection[Any], persons: int, schema: str) -> None:
    """The plans of the lock, the idempotency look-up and the update on 64 partitions, with the
    values known at planning and as the generic plan of a prepared statement (pruned when the
    executor starts: "Subplans Removed")."""
    p = persons // 3
    sql = statements(schema)
    for name in ("lock", "key", "update"):
        text = sql[name].replace("%(p)s", str(p)).replace("%(y)s", str(YEAR))
        text = text.replace("%(k)s", "'token:1:x'").replace("%(d)s", "1")
        print(f"\n-- EXPLAIN {name}, person {p} (literal values):")
        for (line,) in conn.execute(f"EXPLAIN (COSTS OFF) {text}"):
            print("   ", line)
    conn.execute("SET plan_cache_mode = force_generic_plan")
    lock = sql["lock"].replace("%(p)s", "$1").replace("%(y)s", "$2")
    conn.execute(f"PREPARE lock_generic (bigint, int) AS {lock}")
    print(
        f"\n-- EXPLAIN ANALYZE EXECUTE lock_generic({p}, {YEAR}) (the generic plan, pruned at run):"
    )
    for (line,) in conn.execute(
        f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE lock_generic({p}, {YEAR})"
    ):
        print("   ", line)
    conn.rollback()
    conn.execute("RESET plan_cache_mode")


def sizes(conn: psycopg.Connection[Any], schema: str) -> dict[str, float]:
    out = {}
    for table in ("ledger", "settlements"):
        (size, rows) = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)), sum(c.reltuples) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s"
            " AND c.relkind = 'r' AND (c.relname = %s OR c.relname LIKE %s)",
            (schema, table, f"{table}\\_p%"),
        ).fetchone()  # type: ignore[misc]
        out[f"{table}_bytes_per_row"] = float(size) / max(float(rows), 1.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--url",
        default=os.environ.get(
            "MINSHENG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:54330/postgres"
        ),
    )
    ap.add_argument("--persons", type=int, default=2_000_000)
    ap.add_argument("--history", type=int, default=500_000)
    ap.add_argument("--partitions", default="16,64")
    ap.add_argument("--connections", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default="/tmp/minsheng-partitioned.json")
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = ap.parse_args()
    parts = [int(x) for x in args.partitions.split(",")]
    schemas = {"plain": None, **{f"h{n}": n for n in parts}}
    server = urlsplit(args.url)
    db = f"minsheng_bench_part_{os.getpid()}"
    url = urlunsplit(server._replace(path="/" + db))
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {db}")
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            settings = {
                k: conn.execute(f"SHOW {k}").fetchone()[0]  # type: ignore[index]
                for k in (
                    "server_version",
                    "fsync",
                    "synchronous_commit",
                    "shared_buffers",
                    "max_prepared_transactions",
                )
            }
            print("server:", settings, "| load average:", os.getloadavg())
            two_phase = int(settings["max_prepared_transactions"]) > 0
            for schema, n in schemas.items():
                t = time.perf_counter()
                for stmt in ddl(schema, n):
                    conn.execute(stmt)
                load(conn, schema, args.persons, args.history)
                print(
                    f"loaded {schema}: {args.persons:,} ledger rows, {args.history:,} settlements"
                    f" in {time.perf_counter() - t:.1f} s"
                )
            for stmt in audit_ddl():
                conn.execute(stmt)
            on_disk = {s: sizes(conn, s) for s in schemas}
            top_parts = max(parts)
            shard_of = partition_map(conn, f"h{top_parts}", args.persons)
        with psycopg.connect(url) as conn:
            explain(conn, args.persons, f"h{top_parts}")
        results: list[dict[str, Any]] = []
        conn_list = [int(x) for x in args.connections.split(",")]
        top = max(conn_list)
        print(f"\n{args.seconds:g} s a step; the schemas alternate within each round")
        for r in range(args.rounds):
            direct = f"h{top_parts}-direct"
            steps = [(s, c, None) for c in conn_list for s in [*schemas, direct]]
            steps += [(direct, top, "global"), (direct, top, "chains")]
            if two_phase:
                steps += [(direct, c, "2pc") for c in conn_list]
            for schema, c, audit in steps:
                by = shard_of if schema == direct else None
                tpc = audit == "2pc"
                a = None if tpc else audit
                res = run_step(url, schema, c, args.seconds, args.persons, a, by, tpc)
                res["round"] = r + 1
                results.append(res)
                print(
                    f"round {r + 1} {schema:>10} {c:>3} conns audit={audit or '-':<6}"
                    f" {res['per_s']:7.0f}/s p50 {res['p50_ms']:6.2f} p99 {res['p99_ms']:6.2f} ms"
                    f" | hold p50 {res['hold_p50_ms']:.2f} p99 {res['hold_p99_ms']:.2f} ms"
                    + (
                        f" | head p50 {res['head_p50_ms']:.2f} ms"
                        if res["head_p50_ms"] is not None
                        else ""
                    )
                    + (f" | db CPU {res['db_cpu_ms']:.3f} ms" if res["db_cpu_ms"] else "")
                    + f" | client CPU {res['client_cpu_ms']:.3f} ms"
                    + f" | load {os.getloadavg()[0]:.1f}"
                )
        summary = summarise(results, [*schemas, direct], conn_list, top, direct)
        Path(args.out).write_text(
            json.dumps(
                {
                    "settings": settings,
                    "args": vars(args),
                    "on_disk": on_disk,
                    "results": results,
                    "summary": summary,
                },
                indent=1,
            )
        )
        print(f"\nbytes a row: {json.dumps(on_disk)}\nwritten: {args.out}")
    finally:
        if not args.keep:
            with psycopg.connect(args.url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def summarise(
    results: list[dict[str, Any]], schemas: list[str], conns: list[int], top: int, direct: str
) -> dict[str, Any]:
    """Medians over the rounds, each schema against the plain one at the same connections."""

    def med(rows: list[dict[str, Any]], key: str) -> float:
        vals = [r[key] for r in rows if r[key] is not None]
        return float(np.median(vals)) if vals else float("nan")

    summary: dict[str, Any] = {}
    print(
        "\nmedians over the rounds (ratio: throughput and DB CPU against plain, same connections)"
    )
    for c in conns:
        base = [
            r
            for r in results
            if r["schema"] == "plain" and r["connections"] == c and not r["audit"]
        ]
        for s in schemas:
            rows = [
                r for r in results if r["schema"] == s and r["connections"] == c and not r["audit"]
            ]
            fig = {
                k: med(rows, k)
                for k in (
                    "per_s",
                    "p50_ms",
                    "p99_ms",
                    "hold_p50_ms",
                    "hold_p99_ms",
                    "hold_mean_ms",
                    "db_cpu_ms",
                )
            }
            fig["ratio"] = fig["per_s"] / med(base, "per_s")
            fig["cpu_ratio"] = fig["db_cpu_ms"] / med(base, "db_cpu_ms")
            summary[f"{s}/{c}"] = fig
            print(
                f"  {s:>10} {c:>3} conns {fig['per_s']:7.0f}/s ×{fig['ratio']:.2f}"
                f" p50 {fig['p50_ms']:.2f} p99 {fig['p99_ms']:.2f} ms hold p50"
                f" {fig['hold_p50_ms']:.2f} p99 {fig['hold_p99_ms']:.2f} ms"
                f" db CPU {fig['db_cpu_ms']:.3f} ms ×{fig['cpu_ratio']:.2f}"
            )
    base = [
        r for r in results if r["schema"] == direct and r["connections"] == top and not r["audit"]
    ]
    for s, audit in ((direct, "global"), (direct, "chains")):
        rows = [r for r in results if r["schema"] == s and r["audit"] == audit]
        fig = {
            k: med(rows, k)
            for k in (
                "per_s",
                "p50_ms",
                "p99_ms",
                "head_p50_ms",
                "head_p99_ms",
                "head_mean_ms",
                "db_cpu_ms",
            )
        }
        fig["ratio_to_no_audit"] = fig["per_s"] / med(base, "per_s")
        summary[f"audit-{audit}/{s}/{top}"] = fig
        print(
            f"  audit {audit:<6} {s} {top} conns {fig['per_s']:7.0f}/s"
            f" (×{fig['ratio_to_no_audit']:.2f} of no audit) p50 {fig['p50_ms']:.2f}"
            f" p99 {fig['p99_ms']:.2f} ms; head held p50 {fig['head_p50_ms']:.2f}"
            f" mean {fig['head_mean_ms']:.2f} p99 {fig['head_p99_ms']:.2f} ms"
        )
    for c in conns:
        rows = [r for r in results if r["audit"] == "2pc" and r["connections"] == c]
        if not rows:
            continue
        base = [
            r for r in results if r["schema"] == direct and r["connections"] == c and not r["audit"]
        ]
        fig = {k: med(rows, k) for k in ("per_s", "p50_ms", "p99_ms", "db_cpu_ms")}
        fig["ratio"] = fig["per_s"] / med(base, "per_s")
        fig["cpu_ratio"] = fig["db_cpu_ms"] / med(base, "db_cpu_ms")
        fig["p50_base_ms"] = med(base, "p50_ms")
        summary[f"2pc/{direct}/{c}"] = fig
        print(
            f"  prepared + committed (2PC's share on one node) {c} conns {fig['per_s']:7.0f}/s"
            f" ×{fig['ratio']:.2f} of a plain commit; p50 {fig['p50_ms']:.2f} ms (plain commit"
            f" {fig['p50_base_ms']:.2f}) p99 {fig['p99_ms']:.2f} ms; db CPU {fig['db_cpu_ms']:.3f}"
            f" ms ×{fig['cpu_ratio']:.2f}"
        )
    return summary


if __name__ == "__main__":
    main()
