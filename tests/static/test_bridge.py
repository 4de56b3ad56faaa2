"""Static checks of the shipped browser code."""

import re
from pathlib import Path


def test_bridge_never_posts_to_any_origin():
    """Static check of the shipped browser code: every postMessage names an exact origin."""
    root = Path(__file__).resolve().parents[2] / "static" / "js"
    code = "\n".join(re.sub(r"^\s*//.*$", "", p.read_text(), flags=re.M) for p in root.rglob("*.js"))
    assert '"*"' not in code.replace('origin === "*"', "") and "'*'" not in code
    # Two places send: the bridge, to the exact origin connect() was given, and the frame's inline
    # start (early.js), its hello to the parent origin the server wrote into the page.
    sends = {p.name: re.findall(r"\.postMessage\([^;]*", p.read_text()) for p in root.rglob("*.js")}
    assert {name: len(found) for name, found in sends.items() if found} == {"bridge.js": 1, "early.js": 1}
    assert sends["bridge.js"][0].endswith(", origin)") and sends["early.js"][0].endswith(", parentOrigin)")
    early = (root / "frame/early.js").read_text()
    assert "parentOrigin = document.documentElement.dataset.parentOrigin" in early
