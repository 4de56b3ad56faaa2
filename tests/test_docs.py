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
                 "PANLESS_SANDBOX__TOKENIZE_DELAY", "PANLESS_ALLOWED_ORIGINS", "PANLESS_DATABASE_URL"):
        assert name in readme, name
    assert "4970101122334406" in readme and "4970107111111119" in readme


def test_every_test_named_in_the_pci_document_exists():
    import re

    text = (ROOT / "docs" / "pci.md").read_text()
    refs = set(re.findall(r"`((?:tests|playwright)/[\w/]+\.py)::(\w+)`", text))
    assert len(refs) > 20
    for path, name in refs:
        assert f"def {name}(" in (ROOT / path).read_text(), f"docs/pci.md names {path}::{name}, which is gone"
