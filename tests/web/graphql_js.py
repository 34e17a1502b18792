"""graphql-js from the npm registry, installed once per test session, to ask it for documents."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests import npm

GRAPHQL_JS = "graphql@16.15.0"
# Every option getIntrospectionQuery has in that version.
OPTIONS = {
    "descriptions": True,
    "specifiedByUrl": True,
    "directiveIsRepeatable": True,
    "schemaDescription": True,
    "inputValueDeprecation": True,
    "oneOf": True,
}


def install(root: Path) -> Path:
    """The package's directory after `npm install`; skips the test when npm cannot run."""
    return npm.install(root, [GRAPHQL_JS]) / "node_modules" / "graphql"


def introspection_query(package: Path) -> str:
    """graphql-js's getIntrospectionQuery with every option on, as the package writes it."""
    script = (
        f"const {{ getIntrospectionQuery }} = require({json.dumps(str(package))});"
        f"process.stdout.write(getIntrospectionQuery({json.dumps(OPTIONS)}));"
    )
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout
