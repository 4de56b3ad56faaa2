"""Static checks of the shipped browser code."""

import re
from pathlib import Path


def test_bridge_never_posts_to_any_origin():
    """Static check of the shipped browser code: every postMessage names an exact origin."""
    root = Path(__file__).resolve().parents[2] / "static" / "js"
    code = "\n".join(re.sub(r"^\s*//.*$", "", p.read_text(), flags=re.M) for p in root.rglob("*.js"))
    assert '"*"' not in code.replace('origin === "*"', "") and "'*'" not in code
    assert code.count(".postMessage(") == 1  # one place sends, and it takes the exact origin
