"""The rooms stay apart, checked in a fresh interpreter: the sandbox (which holds card data) loads no merchant-app
or demo module, and the shared pieces in panless.core load none of the merchant app, the sandbox or the demo."""

import json
import subprocess
import sys
import textwrap

from panless.sandbox.psps import EMULATORS


def loaded_after(code: str) -> list[str]:
    """The panless modules a fresh interpreter has loaded after running `code`."""
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json, sys
        print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] == "panless")))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def within(modules: list[str], *rooms: str) -> list[str]:
    return [m for m in modules if any(m == room or m.startswith(room + ".") for room in rooms)]


def test_the_sandbox_and_its_app_load_no_merchant_or_demo_module():
    modules = loaded_after("""
        import panless.sandbox
        panless.sandbox.create_app()
    """)
    assert within(modules, "panless.merchant", "panless.demo") == []
    # Sanity: what the sandbox is made of did load, every emulator's rooms included.
    rooms = {f"panless.sandbox.{emulator.name}.{part}" for emulator in EMULATORS
             for part in ("views", "backend", "errors")}
    assert {"panless.sandbox.vault", *rooms} <= set(modules)


def test_the_shared_pieces_load_no_app():
    modules = loaded_after("""
        import importlib, pkgutil
        import panless.core
        for module in pkgutil.iter_modules(panless.core.__path__):
            importlib.import_module("panless.core." + module.name)
    """)
    assert within(modules, "panless.merchant", "panless.sandbox", "panless.demo", "panless.cli") == []
    assert len(within(modules, "panless.core")) > 5  # store, pan, redaction, settings, paths, demo credentials

