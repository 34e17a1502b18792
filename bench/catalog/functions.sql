-- The contract's category-tree and matchItems rules as SQL functions, in a schema of their own
-- beside the gateway's tables (which stay as the gateway made them). PostGraphile exposes them
-- as query fields (plain PG5 cannot express a pruned tree in pre-order), and B0 calls the same
-- functions, so both answer with one statement of the same SQL.
-- Tuned with EXPLAIN ANALYZE on the full-scale catalog: the gateway's own indexes serve every
-- lookup (category by parent, assignments by primary key), so none is added here.
-- Timestamps are stored as UTC without a time zone, hence now() AT TIME ZONE 'UTC'.

DROP SCHEMA IF EXISTS bench_sql CASCADE;
CREATE SCHEMA bench_sql;

CREATE TYPE bench_sql.tree_node AS (
  id text, parent_id text, code text, name text, position int, published boolean,
  is_segment_assigned boolean, depth int
);

-- Published and inside its validity (from <= now < to, open ends unbounded).
CREATE FUNCTION bench_sql.is_live(published boolean, valid_from timestamp, valid_to timestamp)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT published
     AND (valid_from IS NULL OR valid_from <= (now() AT TIME ZONE 'UTC'))
     AND (valid_to IS NULL OR (now() AT TIME ZONE 'UTC') < valid_to)
$$;

-- Active segments of the tenant; site and ids narrow when given.
CREATE FUNCTION bench_sql.active_segments(tenant text, site_code text, ids text[])
RETURNS SETOF text LANGUAGE sql STABLE AS $$
  SELECT s.id::text FROM public.segment s
   WHERE s.tenant = $1 AND s.status = 'ACTIVE'
     AND (s.valid_from IS NULL OR s.valid_from <= (now() AT TIME ZONE 'UTC'))
     AND (s.valid_to IS NULL OR (now() AT TIME ZONE 'UTC') < s.valid_to)
     AND ($2 IS NULL OR s.site_code = $2)
     AND ($3 IS NULL OR s.id = ANY ($3))
$$;

-- A customer's segments: B2C always; B2B for the legal entity in use (exactly one of theirs:
-- that one; several: the one asked for, or all of them when none is asked for).
CREATE FUNCTION bench_sql.customer_segments(tenant text, customer_id text, legal_entity_id text)
RETURNS SETOF text LANGUAGE sql STABLE AS $$
  WITH mine AS (
    SELECT a.segment_id, a.legal_entity_id FROM public.customer_assignment a
     WHERE a.tenant = $1 AND a.customer_id = $2),
  entities AS (
    SELECT array_agg(DISTINCT m.legal_entity_id) AS ids FROM mine m WHERE m.legal_entity_id <> ''),
  chosen AS (
    SELECT CASE WHEN cardinality(e.ids) = 1 THEN e.ids[1] ELSE $3 END AS id FROM entities e)
  SELECT DISTINCT m.segment_id::text FROM mine m, chosen c
   WHERE m.legal_entity_id = '' OR c.id IS NULL OR m.legal_entity_id = c.id
$$;

-- The kept nodes of a tree, flat in pre-order (siblings by position, code, id), given the ids of
-- the categories its segments assign (`picked`, duplicates allowed). Two ways to the same answer,
-- tree_of picks by size. Both rely on what the gateway's import enforces: every parentId names a
-- category of the tenant and there are no cycles (categories are never deleted), so the roots
-- are the rows whose parent_id is NULL.
-- The sort key is one C-collated string per node: each step is the position (fixed width),
-- code and id, each ended by \x01 (below any character of a code or id), appended to the
-- parent's key. A parent's key is a prefix of its descendants', so the order is pre-order.
--
-- Down from the roots: one walk through the live categories (published and valid, so a pruned
-- category's subtree is never entered), `covered` inherited from the parent. `under` (the
-- parent's `covered`) finds the topmost assigned ones without a second membership test: each
-- test is a hash of `assigned` built, 18,750 ids for Q3. Cost: one step per live category, by
-- hash join; right when the segments assign much of the catalog (Q3).
CREATE FUNCTION bench_sql.tree_from_roots(tenant text, picked text[])
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE AS $$
  WITH RECURSIVE
  assigned AS MATERIALIZED (SELECT unnest($2) COLLATE "C" AS id),
  walk (id, parent_id, code, name, position, published, covered, under, depth, path) AS (
    SELECT c.id, c.parent_id, c.code, c.name, c.position, c.published,
           c.id IN (SELECT id FROM assigned), false, 0,
           lpad((c.position::bigint + 2147483648)::text, 10, '0') || c.code || E'\x01' || c.id
             || E'\x01' COLLATE "C"
      FROM public.category c
     WHERE c.tenant = $1 AND c.parent_id IS NULL
       AND bench_sql.is_live(c.published, c.valid_from, c.valid_to)
    UNION ALL
    SELECT c.id, c.parent_id, c.code, c.name, c.position, c.published,
           w.covered OR c.id IN (SELECT id FROM assigned), w.covered, w.depth + 1,
           w.path || lpad((c.position::bigint + 2147483648)::text, 10, '0') || c.code || E'\x01'
             || c.id || E'\x01'
      FROM walk w JOIN public.category c ON c.tenant = $1 AND c.parent_id = w.id
     WHERE bench_sql.is_live(c.published, c.valid_from, c.valid_to)),
  -- Kept but not assigned: the categories above a topmost assigned one.
  above (id) AS (
    SELECT w.parent_id FROM walk w WHERE w.covered AND NOT w.under AND w.parent_id IS NOT NULL
    UNION
    SELECT c.parent_id FROM above u JOIN public.category c ON c.tenant = $1 AND c.id = u.id
     WHERE c.parent_id IS NOT NULL)
  SELECT w.id::text, w.parent_id::text, w.code::text, w.name ->> 'en', w.position, w.published,
         w.covered, w.depth
    FROM walk w
   WHERE w.covered OR w.id IN (SELECT id FROM above)
   ORDER BY w.path
$$;

-- Up from the assigned categories first: `reach` is them and everything above them, by primary
-- key, so the walk down enters only live categories in reach or below an assigned one. Cost: in
-- the answer's size, one index probe a node; right when the segments assign a few (Q2).
-- LATERAL ... OFFSET 0 keeps those probes: the planner, which cannot size a recursive CTE,
-- otherwise hashes all 10,000 categories on every step.
CREATE FUNCTION bench_sql.tree_from_assigned(tenant text, picked text[])
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE AS $$
  WITH RECURSIVE
  assigned AS MATERIALIZED (SELECT DISTINCT unnest($2) COLLATE "C" AS id),
  reach (id, parent_id) AS (
    SELECT c.id, c.parent_id FROM assigned s, LATERAL (
      SELECT c.id, c.parent_id FROM public.category c
       WHERE c.tenant = $1 AND c.id = s.id OFFSET 0) c
    UNION
    SELECT c.id, c.parent_id FROM reach r, LATERAL (
      SELECT c.id, c.parent_id FROM public.category c
       WHERE c.tenant = $1 AND c.id = r.parent_id OFFSET 0) c),
  walk (id, parent_id, code, name, position, published, covered, under, depth, path) AS (
    SELECT c.id, c.parent_id, c.code, c.name, c.position, c.published,
           c.id IN (SELECT id FROM assigned), false, 0,
           lpad((c.position::bigint + 2147483648)::text, 10, '0') || c.code || E'\x01' || c.id
             || E'\x01' COLLATE "C"
      FROM public.category c
     WHERE c.tenant = $1 AND c.parent_id IS NULL
       AND bench_sql.is_live(c.published, c.valid_from, c.valid_to)
       AND c.id IN (SELECT id FROM reach)
    UNION ALL
    SELECT c.id, c.parent_id, c.code, c.name, c.position, c.published,
           w.covered OR c.id IN (SELECT id FROM assigned), w.covered, w.depth + 1,
           w.path || lpad((c.position::bigint + 2147483648)::text, 10, '0') || c.code || E'\x01'
             || c.id || E'\x01'
      FROM walk w, LATERAL (
        SELECT c.* FROM public.category c
         WHERE c.tenant = $1 AND c.parent_id = w.id
           AND bench_sql.is_live(c.published, c.valid_from, c.valid_to) OFFSET 0) c
     WHERE w.covered OR c.id IN (SELECT id FROM reach)),
  above (id) AS (
    SELECT w.parent_id FROM walk w WHERE w.covered AND NOT w.under AND w.parent_id IS NOT NULL
    UNION
    SELECT c.parent_id FROM above u, LATERAL (
      SELECT c.parent_id FROM public.category c
       WHERE c.tenant = $1 AND c.id = u.id OFFSET 0) c
     WHERE c.parent_id IS NOT NULL)
  SELECT w.id::text, w.parent_id::text, w.code::text, w.name ->> 'en', w.position, w.published,
         w.covered, w.depth
    FROM walk w
   WHERE w.covered OR w.id IN (SELECT id FROM above)
   ORDER BY w.path
$$;

-- PL/pgSQL for its plan cache: each statement is planned once per connection (a SQL function
-- with a SET clause is planned on every call, about 2 ms here). The two helpers above are
-- inlined into these statements. The planner overestimates recursive CTEs badly enough to
-- JIT-compile them (seconds on a busy machine, for a query that runs in milliseconds).
CREATE FUNCTION bench_sql.tree_of(tenant text, segment_ids text[])
RETURNS SETOF bench_sql.tree_node LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
  picked text[] := ARRAY(
    SELECT a.item_id FROM public.item_assignment a
     WHERE a.tenant = $1 AND a.segment_id = ANY ($2) AND a.item_type = 'CATEGORY');
BEGIN
  -- Up costs a few probes per assigned category, down one hash step per live category. The
  -- table's size as ANALYZE left it is close enough to choose by (counting the tenant's rows
  -- would cost half a millisecond at 10,000).
  IF cardinality(picked) * 4 < (
      SELECT t.reltuples FROM pg_catalog.pg_class t WHERE t.oid = 'public.category'::regclass)
  THEN
    RETURN QUERY SELECT * FROM bench_sql.tree_from_assigned($1, picked);
  ELSE
    RETURN QUERY SELECT * FROM bench_sql.tree_from_roots($1, picked);
  END IF;
END
$$;

-- Q2: a customer's tree (their active segments).
CREATE FUNCTION bench_sql.customer_tree_nodes(
  tenant text, customer_id text, legal_entity_id text DEFAULT NULL)
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE AS $$
  SELECT * FROM bench_sql.tree_of($1, ARRAY(
    SELECT s FROM bench_sql.customer_segments($1, $2, $3) s
    INTERSECT SELECT s FROM bench_sql.active_segments($1, NULL, NULL) s))
$$;

-- Q3: a merchandiser's tree: the active ones among segment_ids, else every active segment.
CREATE FUNCTION bench_sql.tree_nodes(tenant text, segment_ids text[] DEFAULT NULL)
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE AS $$
  SELECT * FROM bench_sql.tree_of($1, ARRAY(SELECT s FROM bench_sql.active_segments($1, NULL, $2) s))
$$;

-- Q4: which item_ids are products assigned to the active segments of the site, directly or
-- through a category the tree keeps as assigned; input order, no duplicates. PL/pgSQL for the
-- plan cache, as tree_of; the active segments are fixed first so that both assignment lookups
-- are primary-key probes (tenant, segment, type, item).
CREATE FUNCTION bench_sql.match_items(
  tenant text, site_code text, segment_ids text[], item_ids text[])
RETURNS SETOF text LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
  segs text[] := ARRAY(SELECT s FROM bench_sql.active_segments($1, $2, $3) s);
BEGIN
  RETURN QUERY
  WITH RECURSIVE
  wanted AS (
    SELECT w.id, min(w.ord) AS ord FROM unnest($4) WITH ORDINALITY AS w (id, ord) GROUP BY w.id),
  direct AS (
    SELECT DISTINCT a.item_id AS id FROM wanted w
      JOIN public.item_assignment a ON a.tenant = $1 AND a.segment_id = ANY (segs)
       AND a.item_type = 'PRODUCT' AND a.item_id = w.id
      JOIN public.product p ON p.tenant = $1 AND p.id = a.item_id),
  assigned AS (
    SELECT a.item_id AS id FROM public.item_assignment a
     WHERE a.tenant = $1 AND a.segment_id = ANY (segs) AND a.item_type = 'CATEGORY'),
  -- Each of a product's categories, walked up to its root: live all the way, and assigned on
  -- the way (the category itself or one above it).
  up (product, start, parent_id, live, hit, steps) AS (
    SELECT l.product_id, c.id, c.parent_id,
           bench_sql.is_live(c.published, c.valid_from, c.valid_to),
           c.id IN (SELECT s.id FROM assigned s), 0
      FROM public.product_category l
      JOIN public.category c ON c.tenant = l.tenant AND c.id = l.category_id
     WHERE l.tenant = $1 AND l.product_id IN (SELECT w.id FROM wanted w)
       AND l.product_id NOT IN (SELECT d.id FROM direct d)
    UNION ALL
    SELECT up.product, up.start, c.parent_id,
           bench_sql.is_live(c.published, c.valid_from, c.valid_to),
           c.id IN (SELECT s.id FROM assigned s), up.steps + 1
      FROM up JOIN public.category c ON c.tenant = $1 AND c.id = up.parent_id
     WHERE up.live AND up.steps < 64),
  through AS (
    SELECT up.product AS id FROM up GROUP BY up.product, up.start
    HAVING bool_and(up.live) AND bool_or(up.hit))
  SELECT w.id FROM wanted w
   WHERE w.id IN (SELECT d.id FROM direct d) OR w.id IN (SELECT t.id FROM through t)
   ORDER BY w.ord;
END
$$;
