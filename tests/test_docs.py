"""What the README tells a new user to run works as written."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_curl_walkthrough_registers_a_card(sandbox):
    done = subprocess.run([str(ROOT / "docs" / "sandbox-curl.sh"), sandbox.url], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "tokenizer answered: data=" in done.stdout
    assert '"Alias":"497010XXXXXX1119"' in done.stdout and '"Active":true' in done.stdout


def test_readme_names_the_two_commands_and_every_panless_variable():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    for name in ("PANLESS_SECRET_KEY", "PANLESS_MANGOPAY__BASE_URL", "PANLESS_MANGOPAY__CLIENT_ID",
                 "PANLESS_MANGOPAY__API_KEY", "PANLESS_SANDBOX__VAULT_KEY", "PANLESS_SANDBOX__DB",
                 "PANLESS_SANDBOX__TOKENIZE_DELAY", "PANLESS_ALLOWED_ORIGINS", "PANLESS_DB"):
        assert name in readme, name
    assert "4970101122334406" in readme and "4970107111111119" in readme


def test_every_test_named_in_the_pci_document_exists():
    import re

    text = (ROOT / "docs" / "pci.md").read_text()
    refs = set(re.findall(r"`((?:tests|playwright)/[\w/]+\.py)::(\w+)`", text))
    assert len(refs) > 20
    for path, name in refs:
        assert f"def {name}(" in (ROOT / path).read_text(), f"docs/pci.md names {path}::{name}, which is gone"


def test_every_code_path_named_in_the_pci_document_and_readme_exists():
    """docs/pci.md is what an assessor reads: each `server/...`, `static/...` or `templates/...` path it names
    exists, and each name it gives in brackets after a Python file is defined there."""
    import glob
    import re

    for doc in ("docs/pci.md", "README.md"):
        text = (ROOT / doc).read_text()
        paths = set(re.findall(r"`((?:server|static|templates)/[\w/.*-]+)`", text))
        assert paths, doc
        for path in paths:
            assert glob.glob(str(ROOT / path)), f"{doc} names {path}, which is gone"
        for path, names in re.findall(r"`(server/[\w/]+\.py)` \(([^)]*)\)", text):
            source = (ROOT / path).read_text()
            for name in re.findall(r"`(\w+)`", names):
                assert re.search(rf"^\s*(?:def|class) {name}\b|^{name} = ", source, re.M), \
                    f"{doc} names {path} ({name}), which is not defined there"
