-- The contract's category-tree and matchItems rules as SQL functions, in a schema of their own
-- beside the gateway's tables (which stay as the gateway made them). PostGraphile exposes them
-- as query fields (plain PG5 cannot express a pruned tree in pre-order), and B0 calls the same
-- functions, so both answer with one statement of the same SQL.
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

-- The kept nodes of the segments' trees, flat in pre-order (siblings by position, code, id).
CREATE FUNCTION bench_sql.tree_of(tenant text, segment_ids text[])
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE
-- The planner overestimates recursive CTEs badly enough to JIT-compile them (seconds on a busy
-- machine, for a query that runs in milliseconds); OLTP does not want that.
SET jit = off AS $$
  WITH RECURSIVE
  assigned AS (
    SELECT DISTINCT a.item_id AS id FROM public.item_assignment a
     WHERE a.tenant = $1 AND a.item_type = 'CATEGORY' AND a.segment_id = ANY ($2)),
  -- From each assigned category up to its root: it counts only when the whole chain is live.
  up (start, id, parent_id, live, steps) AS (
    SELECT c.id, c.id, c.parent_id, bench_sql.is_live(c.published, c.valid_from, c.valid_to), 0
      FROM public.category c JOIN assigned USING (id) WHERE c.tenant = $1
    UNION ALL
    SELECT up.start, c.id, c.parent_id, bench_sql.is_live(c.published, c.valid_from, c.valid_to),
           up.steps + 1
      FROM up JOIN public.category c ON c.tenant = $1 AND c.id = up.parent_id
     WHERE up.live AND up.steps < 64),
  anchors AS (SELECT start AS id FROM up GROUP BY start HAVING bool_and(live)),
  -- Everything live below an anchor is assigned too.
  down (id) AS (
    SELECT id FROM anchors
    UNION
    SELECT c.id FROM down JOIN public.category c ON c.tenant = $1 AND c.parent_id = down.id
     WHERE bench_sql.is_live(c.published, c.valid_from, c.valid_to)),
  kept AS (
    SELECT id, true AS assigned FROM down
    UNION ALL
    SELECT DISTINCT up.id, false FROM up JOIN anchors a ON a.id = up.start
     WHERE up.id NOT IN (SELECT id FROM down)),
  nodes AS (
    SELECT c.id, c.parent_id, c.code, c.name, c.position, c.published, k.assigned,
           lpad((c.position::bigint + 2147483648)::text, 10, '0') || c.code || E'\x01' || c.id
             COLLATE "C" AS step
      FROM kept k JOIN public.category c ON c.tenant = $1 AND c.id = k.id),
  tree (id, depth, path) AS (
    SELECT n.id, 0, ARRAY[n.step] FROM nodes n
     WHERE n.parent_id IS NULL OR n.parent_id NOT IN (SELECT id FROM nodes)
    UNION ALL
    SELECT n.id, t.depth + 1, t.path || n.step FROM tree t JOIN nodes n ON n.parent_id = t.id)
  SELECT n.id::text, n.parent_id::text, n.code::text, n.name ->> 'en', n.position, n.published,
         n.assigned, t.depth
    FROM tree t JOIN nodes n USING (id) ORDER BY t.path
$$;

-- Q2: a customer's tree (their active segments).
CREATE FUNCTION bench_sql.customer_tree_nodes(
  tenant text, customer_id text, legal_entity_id text DEFAULT NULL)
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE AS $$
  SELECT * FROM bench_sql.tree_of($1, ARRAY(
    SELECT bench_sql.customer_segments($1, $2, $3)
    INTERSECT SELECT bench_sql.active_segments($1, NULL, NULL)))
$$;

-- Q3: a merchandiser's tree: the active ones among segment_ids, else every active segment.
CREATE FUNCTION bench_sql.tree_nodes(tenant text, segment_ids text[] DEFAULT NULL)
RETURNS SETOF bench_sql.tree_node LANGUAGE sql STABLE AS $$
  SELECT * FROM bench_sql.tree_of($1, ARRAY(SELECT bench_sql.active_segments($1, NULL, $2)))
$$;

-- Q4: which item_ids are products assigned to the active segments of the site, directly or
-- through a category the tree keeps as assigned; input order, no duplicates.
CREATE FUNCTION bench_sql.match_items(
  tenant text, site_code text, segment_ids text[], item_ids text[])
RETURNS SETOF text LANGUAGE sql STABLE SET jit = off AS $$
  WITH RECURSIVE
  segs AS (SELECT bench_sql.active_segments($1, $2, $3) AS id),
  wanted AS (
    SELECT w.id, min(w.ord) AS ord FROM unnest($4) WITH ORDINALITY AS w (id, ord) GROUP BY w.id),
  direct AS (
    SELECT DISTINCT a.item_id AS id FROM public.item_assignment a
      JOIN public.product p ON p.tenant = a.tenant AND p.id = a.item_id
     WHERE a.tenant = $1 AND a.item_type = 'PRODUCT'
       AND a.segment_id IN (SELECT id FROM segs) AND a.item_id IN (SELECT id FROM wanted)),
  assigned AS (
    SELECT DISTINCT a.item_id AS id FROM public.item_assignment a
     WHERE a.tenant = $1 AND a.item_type = 'CATEGORY' AND a.segment_id IN (SELECT id FROM segs)),
  -- Each of a product's categories, walked up to its root: live all the way, and assigned on
  -- the way (the category itself or one above it).
  up (product, start, parent_id, live, hit, steps) AS (
    SELECT l.product_id, c.id, c.parent_id,
           bench_sql.is_live(c.published, c.valid_from, c.valid_to),
           c.id IN (SELECT id FROM assigned), 0
      FROM public.product_category l
      JOIN public.category c ON c.tenant = l.tenant AND c.id = l.category_id
     WHERE l.tenant = $1 AND l.product_id IN (SELECT id FROM wanted)
       AND l.product_id NOT IN (SELECT id FROM direct)
    UNION ALL
    SELECT up.product, up.start, c.parent_id,
           bench_sql.is_live(c.published, c.valid_from, c.valid_to),
           c.id IN (SELECT id FROM assigned), up.steps + 1
      FROM up JOIN public.category c ON c.tenant = $1 AND c.id = up.parent_id
     WHERE up.live AND up.steps < 64),
  through AS (
    SELECT product AS id FROM up GROUP BY product, start HAVING bool_and(live) AND bool_or(hit))
  SELECT w.id FROM wanted w
   WHERE w.id IN (SELECT id FROM direct) OR w.id IN (SELECT id FROM through)
   ORDER BY w.ord
$$;
