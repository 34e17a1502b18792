"""The method, written under the figures so nobody has to read the harness to trust them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.catalog.runner import Facts


def method_notes(facts: Facts) -> list[str]:
    return [
        "How it was measured:",
        "- Data: `bench/catalog/generate.py`, seeded: one tenant `catalog`, 10,000 categories in "
        "6 levels (about 5% below the top two levels unpublished or expired), 100,000 products "
        "in 1-2 categories, 200 segments (150 active; 10% on site `b2b`), 20,000 customers in "
        "1-3 segments (20% B2B with a legal entity), 500,000 item assignments (2,500 per "
        "segment, 5% categories). Segment `seg000` holds every root category, so Q3 (all "
        "active segments) is the whole live catalog.",
        "- Imports: `gateway migrate`, `gateway import FILE`, `VACUUM ANALYZE`, then the same "
        "file again (on SQLite: import, import again). Without the ANALYZE, the PostgreSQL "
        "re-import of even the 1/10 file took 96 s instead of 6 s: its key lookups run on a "
        "fresh table with no statistics.",
        '- Workloads: Q1 `itemAssignments(segmentId, sort: "item.id", pageSize: 50)` with '
        "`item { id code name }` (segment_read token); Q2 `categoryTreeNodes { id parentId "
        "name isSegmentAssigned }` with a customer token (the B2C customer whose tree is "
        "nearest 765 nodes among the first 300); Q3 the same with a segment_read token and no "
        "segmentIds (every active segment); Q4 two aliased `matchItems` (one segment each, the "
        "same 50 products); W1 `bulkUpsertItemAssignments` of 200 products a segment already "
        "has, rotating over 20 segments (B0: one `INSERT ... SELECT unnest(...) ON CONFLICT DO "
        "UPDATE`); Q0 `{ __typename }`.",
        "- PG5: the amber preset over schemas `public` (the gateway's tables, untouched) and "
        "`bench_sql` (the functions of `bench/catalog/functions.sql`, for Q2-Q4: plain PG5 "
        "cannot prune and order a tree or match through categories); smart tags declare the "
        "assignment-to-product and assignment-to-category relations; index behaviours off so "
        "Q1 may order by item id. No JWT: PG5 and B0 check no token, the gateway does.",
        "- B0 (`bench/catalog/baseline.py`): Starlette + asyncpg (pool of 16, prepared "
        "statements) + orjson, one statement per request; Q2-Q4 call the same `bench_sql` "
        "functions as PG5, so B0 and PG5 differ only above the SQL.",
        "- Before timing, every server answers every workload once and the answers (ids, codes, "
        "names, flags, counts, in order) must be equal across servers, else the run stops.",
        "- SQL statements per request: counted on the wire by a proxy in front of PostgreSQL "
        "(`bench/catalog/wire.py`; pg_stat_statements would need a server restart), over 3 "
        "requests after a warm-up one, during the checking run (the timed run bypasses the "
        "proxy); `data + tx control` separates BEGIN/COMMIT/ROLLBACK/SET from the rest. Not "
        "counted on SQLite.",
        "- CPU per request: utime + stime from /proc of the server process, and of the "
        "PostgreSQL backends of the benchmark database (sampled every 0.2 s), over the measured "
        "wrk run, divided by its requests. The gateway runs as `python -m gateway serve "
        "--port P` (one worker, uvicorn's access log on, as shipped).",
        "- Cold: after the timed run, one read at a time, each just after a write that changes "
        "no answer (re-upserting a category assignment of a segment the read depends on): "
        "through the gateway's own `upsertItemAssignment` for the gateway, so any cache of it "
        "must notice; as SQL for B0 and PG5, which keep no caches. Up to 100 reads (20 in "
        "quick mode) or 30 s. Warm = wrk's repeated identical requests.",
        "- Ratios are req/s over req/s from this one run.",
        "- The peers' SQL (`bench/catalog/functions.sql`), tuned with EXPLAIN ANALYZE on the "
        "full-scale data: a tree walks down from the roots once, through live categories only "
        "(a pruned category's subtree is never entered), the assigned flag inherited from the "
        "parent; when the segments assign few categories (Q2), it first walks up from those by "
        "primary key and then descends only where they lie, so its cost follows the answer, "
        "not the catalog. Pre-order comes from one C-collated sort key per node (position, "
        "code, id). tree_of and match_items are PL/pgSQL so each connection plans their "
        "statements once (SQL functions with a SET clause are planned on every call), with JIT "
        "off (the planner's guesses for recursive CTEs would JIT-compile them). Q1 needs no "
        "function: B0's statement and PG5's generated one both read the gateway's index on "
        "item_assignment (tenant, segment_id, item_id, item_type) from migration 0002 (an "
        "index-only scan that stops after 50 rows). No index was added to the gateway's "
        "tables. The answers are checked equal to the gateway's before timing, as for every "
        "workload.",
        "- `--workers 2`: the gateway on PostgreSQL again as `python -m gateway serve --workers "
        "2` (uvicorn's supervisor and two worker processes), warm runs of the read workloads "
        "only, beside the one-worker figures of the same run. Its CPU per request sums the "
        "supervisor and the workers; memory is each process's peak resident set (VmHWM) at "
        "the end of its run.",
        "",
    ]
