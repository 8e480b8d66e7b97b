"""Employment benchmarks (issue 14): precision matching's quality and speed, and the
vacancy search.

1. quality: a synthetic labelled set (``--eval-seekers`` seekers with hidden true
   preferences, ``--eval-jobs`` vacancies; :mod:`minsheng.employment.match_eval`) ranked by the
   matcher and, in the same process, by random, newest-first and BM25 text-only baselines —
   NDCG@5, Recall@5, MRR, computed by our functions and cross-checked with ranx.
2. one seeker over ``--jobs`` (100,000) vacancies: in memory (the vacancies as arrays, the
   pre-filter by major group / prefecture as masks, the scoring vectorised) and end to end
   through ``jobs_for_seeker`` on SQLite (indexed pre-filter, rows read, scored). Bar < 50 ms.
   Baseline: the same seeker scored vacancy by vacancy in plain Python.
3. batch: ``--seekers`` (500,000) seekers against the same vacancies by (occupation group,
   prefecture) blocks (the middle group where stated) as one matrix per block. Bar < 60 s.
   Baseline: one seeker at a time through the vectorised single-seeker path, on a sample,
   projected.
4. search: p50/p95 of ``search_vacancies`` over the vacancies on SQLite (FTS5) — and on
   PostgreSQL with ``--url`` — for queries drawn from the postings' words. Bar p95 < 20 ms.
   Baseline: ``LIKE '%word%'`` over title and requirements.

Run: ``uv run python benchmarks/employment.py [--jobs 100000] [--seekers 500000] [--no-ranx]
[--url postgresql://…]``. No timed assertions; the figures go in docs by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from minsheng.employment import match_eval, match_matrix
from minsheng.employment import match_rules as rules

TODAY = dt.date(2026, 11, 20)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def quality(args: argparse.Namespace, w: rules.Weights) -> None:
    t = time.perf_counter()
    d = match_eval.synthetic(args.eval_seekers, args.eval_jobs, seed=7)
    judged = sum(1 for q in d.qrels if q)
    print(f"\n## quality — {judged} judged seekers, {len(d.jobs)} vacancies (synthetic)")
    print(f"generated in {time.perf_counter() - t:.1f} s")
    rankers = {
        "matcher": match_eval.rank_matcher(w),
        "random": match_eval.rank_random(),
        "most recent": match_eval.rank_recent,
        "text only (BM25)": match_eval.rank_text(),
    }
    print("| ranker | NDCG@5 | Recall@5 | MRR |\n|---|---|---|---|")
    results = {}
    for name, ranker in rankers.items():
        m = match_eval.evaluate(d, ranker)
        results[name] = m
        print(f"| {name} | {m['ndcg@5']:.3f} | {m['recall@5']:.3f} | {m['mrr']:.3f} |")
    if args.no_ranx:
        return
    t = time.perf_counter()
    from ranx import Qrels, Run, evaluate

    qrels = Qrels({f"s{i}": {f"v{v}": g for v, g in q.items()} for i, q in enumerate(d.qrels) if q})
    print("ranx cross-check (ranx's own NDCG@5 / Recall@5 / MRR on the same runs):")
    for name, ranker in rankers.items():
        if name == "random":
            ranker = match_eval.rank_random()  # the same draws as above
        got = evaluate(qrels, Run(match_eval.runs(d, ranker)), ["ndcg@5", "recall@5", "mrr"])
        ours = results[name]
        diff = max(abs(float(got[k]) - ours[k]) for k in ours)
        print(
            f"  {name}: "
            + ", ".join(f"{k} {float(v):.3f}" for k, v in got.items())
            + f" (largest difference from ours {diff:.2e})"
        )
    print(f"ranx (import, numba compile and runs) took {time.perf_counter() - t:.1f} s")


def one_seeker(d: match_eval.Dataset, w: rules.Weights, n: int) -> None:
    print(f"\n## one seeker over {len(d.jobs):,} vacancies")
    t = time.perf_counter()
    b = rules.block(d.job_ids, d.jobs)
    majors = np.asarray([int(j.occupation[0]) for j in d.jobs])
    prefs = np.asarray([int(j.county[:4]) for j in d.jobs])
    print(f"arrays built once in {time.perf_counter() - t:.2f} s")
    times = []
    for s in d.seekers[:n]:
        t = time.perf_counter()
        keep = np.isin(majors, [int(o[0]) for o in s.occupations]) | np.isin(
            prefs, [int(p[:4]) for p in {s.county, *s.counties}]
        )
        sub = rules.take(b, np.flatnonzero(keep))
        rules.top(rules.score_block(s, sub, w), sub.ids, 10)
        times.append(time.perf_counter() - t)
    times.sort()
    fast = statistics.median(times)
    print(f"vectorised: median {ms(fast)}, p95 {ms(times[int(len(times) * 0.95) - 1])}")
    t = time.perf_counter()
    naive_n = 3
    for s in d.seekers[:naive_n]:
        sorted(((rules.score(s, j, w)[0], i) for i, j in enumerate(d.jobs)), reverse=True)[:10]
    naive = (time.perf_counter() - t) / naive_n
    print(f"naive (vacancy by vacancy in Python): {ms(naive)} — ratio {naive / fast:.0f}×")


def batch(d: match_eval.Dataset, w: rules.Weights, seekers: int) -> None:
    print(f"\n## batch: {seekers:,} seekers × {len(d.jobs):,} vacancies")
    t = time.perf_counter()
    pop = match_eval.synthetic(seekers, 1, seed=99, labelled=False).seekers
    print(f"seekers generated in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    out = match_matrix.batch_top(pop, d.jobs, d.job_ids, w, k=10)
    took = time.perf_counter() - t
    got = sum(1 for o in out if o)
    print(f"by (occupation group, prefecture) blocks: {took:.1f} s; {got:,} seekers got a list")
    b = rules.block(d.job_ids, d.jobs)
    sample = 200
    t = time.perf_counter()
    for s in pop[:sample]:
        rules.top(rules.score_block(s, b, w), b.ids, 10)
    per = (time.perf_counter() - t) / sample
    print(
        f"baseline one seeker at a time (vectorised single path): {ms(per)} each → "
        f"{per * seekers:.0f} s projected — ratio {per * seekers / took:.1f}×"
    )


def database(d: match_eval.Dataset, w: rules.Weights, url: str | None, queries: int) -> None:
    from sqlalchemy import func, insert, select, text

    from minsheng.config import normalise_url
    from minsheng.core import ids
    from minsheng.db import make_engine, make_sessionmaker, upgrade
    from minsheng.employment import matching, occupations, search
    from minsheng.employment.seeker_models import EmSeeker
    from minsheng.employment.vacancy_models import EmVacancy
    from minsheng.foundation.principals import system
    from minsheng.registry.models import Employer
    from minsheng.registry.schemas import PersonIn
    from minsheng.registry.service import create_person

    scratch = None
    if url:  # a scratch database of its own on that server, dropped at the end
        from sqlalchemy import create_engine

        admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
        scratch = f"minsheng_bench_{int(time.time())}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
        target = normalise_url(url).rsplit("/", 1)[0] + "/" + scratch
    else:
        target = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    name = "PostgreSQL" if url else "SQLite"
    print(f"\n## {name}: {len(d.jobs):,} vacancies through the services")
    engine = make_engine(target)
    upgrade(engine)
    table = occupations.table()
    by = system("bench")
    with make_sessionmaker(engine)() as s:
        e = Employer(
            credit_code=ids.make_credit_code("540102", 991),
            name="基准测试用人单位",
            division_code="540102",
        )
        s.add(e)
        s.flush()
        rows = [
            {
                "employer_id": e.id,
                "division_code": j.county,
                "title": f"{table[j.occupation].zh[:12]}岗位",
                "occupation": j.occupation,
                "count": 3,
                "filled": 0,
                "wage_min": j.wage_min,
                "wage_max": j.wage_max,
                "education": j.education,
                "skills": json.dumps(sorted(j.skills), ensure_ascii=False),
                "languages": json.dumps(sorted(j.languages)),
                "requirements": "需要" + "、".join(sorted(j.skills)),
                "closing_on": TODAY + dt.timedelta(days=60),
                "state": "published",
                "created_by": "bench",
            }
            for j in d.jobs
        ]
        t = time.perf_counter()
        for i in range(0, len(rows), 10_000):
            s.execute(insert(EmVacancy), rows[i : i + 10_000])
        print(f"inserted in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        counts = search.reindex(s)
        print(f"indexed {counts['vacancies']:,} in {time.perf_counter() - t:.1f} s")
        seeker_ids = []
        for n, f in enumerate(d.seekers[:30]):
            number = ids.make_resident_id(f.county, dt.date(1990, 1, 1), n + 1)
            p = create_person(s, PersonIn(id_number=number, name_zh=f"基准{n}", hukou="rural"), by)
            row = EmSeeker(
                person_id=p.id,
                division_code=f.county,
                education=f.education,
                skills=json.dumps(sorted(f.skills), ensure_ascii=False),
                occupations=json.dumps(list(f.occupations)),
                counties=json.dumps(list(f.counties)),
                wage_min=f.wage_min,
                languages=json.dumps(sorted(f.languages)),
                consent=True,
                confirmed_on=TODAY,
                state="active",
            )
            s.add(row)
            s.flush()
            seeker_ids.append(row.id)
        s.commit()
        if not url:
            s.execute(text("ANALYZE"))
        else:  # the steady state autovacuum keeps: GIN's pending list merged, statistics fresh
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE em_search_docs")
                conn.exec_driver_sql("VACUUM ANALYZE em_vacancies")
        times = []
        for sid in seeker_ids:
            t = time.perf_counter()
            matching.jobs_for_seeker(s, sid, today=TODAY)
            times.append(time.perf_counter() - t)
        times.sort()
        print(
            f"jobs_for_seeker end to end: median {ms(statistics.median(times))}, "
            f"p95 {ms(times[int(len(times) * 0.95) - 1])} (candidate_pool rows read and scored)"
        )
        rng = np.random.default_rng(5)
        words = [w_ for j in d.jobs[:2000] for w_ in j.skills] + [
            table[c].zh[:4] for c in table if "-" in c
        ]
        picks = [str(words[i]) for i in rng.integers(0, len(words), queries)]
        times, hits = [], 0
        for q in picks:
            t = time.perf_counter()
            hits += len(search.search_vacancies(s, q, today=TODAY))
            times.append(time.perf_counter() - t)
        times.sort()
        p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
        print(
            f"search_vacancies ({queries} queries): p50 {ms(p50)}, p95 {ms(p95)}, "
            f"{hits / queries:.1f} hits a query"
        )
        times = []
        for q in picks[:50]:
            t = time.perf_counter()
            s.execute(
                select(EmVacancy.id)
                .where((EmVacancy.title.like(f"%{q}%")) | (EmVacancy.requirements.like(f"%{q}%")))
                .order_by(EmVacancy.id.desc())
                .limit(20)
            ).all()
            times.append(time.perf_counter() - t)
        times.sort()
        naive95 = times[int(len(times) * 0.95) - 1]
        print(f"baseline LIKE scan: p95 {ms(naive95)} — ratio {naive95 / p95:.1f}×")
        n = s.scalar(select(func.count()).select_from(EmVacancy))
        assert n == len(d.jobs)
    engine.dispose()
    if scratch:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", type=int, default=100_000)
    ap.add_argument("--seekers", type=int, default=500_000)
    ap.add_argument("--eval-seekers", type=int, default=1000)
    ap.add_argument("--eval-jobs", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--no-ranx", action="store_true")
    ap.add_argument("--url", default=None, help="a PostgreSQL URL for the search too")
    ap.add_argument("--pg-only", action="store_true", help="with --url: skip SQLite")
    ap.add_argument("--only", choices=["quality", "one", "batch", "db"], default=None)
    args = ap.parse_args()
    from minsheng import policy

    w = rules.Weights.from_node(policy.load().at(dt.date.today(), "540000").employment.match)
    print(f"# employment benchmarks — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    if args.only in (None, "quality"):
        quality(args, w)
    if args.only == "quality":
        return
    t = time.perf_counter()
    d = match_eval.synthetic(300, args.jobs, seed=21, labelled=False)
    print(f"\n{args.jobs:,} vacancies generated in {time.perf_counter() - t:.1f} s")
    if args.only in (None, "one"):
        one_seeker(d, w, 200)
    if args.only in (None, "batch"):
        batch(d, w, args.seekers)
    if args.only in (None, "db"):
        if not args.pg_only:
            database(d, w, None, args.queries)
        if args.url:
            database(d, w, args.url, args.queries)


if __name__ == "__main__":
    main()
