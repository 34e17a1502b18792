"""The demo data set: tenant "demo", a catalog, segments and customers to explore."""

from pathlib import Path

DEMO_FILE = Path(__file__).with_name("demo.json")
