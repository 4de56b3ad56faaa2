"""The catalogues: the one list of them (static/js/shared/locale.js, which the embed and the card form share) names
exactly the files the card form loads, one per language (the match is by language alone)."""

import re

from panless.merchant import assets
from tests.merchant.support import ROOT

STATIC = ROOT / "static"


def listed() -> list[str]:
    text = (STATIC / "js" / "shared" / "locale.js").read_text()
    return re.findall(r'"([^"]+)"', re.search(r"export const LOCALES = \[(.*?)\];", text).group(1))


def test_the_list_names_every_catalogue_file_and_no_other():
    files = sorted(p.stem.removeprefix("i18n-") for p in (STATIC / "js" / "frame").glob("i18n-*.js"))
    assert sorted(listed()) == files and "en" in files


def test_one_catalogue_per_language():
    languages = [name.split("-")[0] for name in listed()]
    assert len(set(languages)) == len(languages)


def test_the_form_loads_each_listed_catalogue_on_demand():
    # form.js's LOCALES: an import() for each but English, which its bundle holds; the frame's bundle can load
    # those and the appearance checks, nothing else (what assets.on_demand may pin).
    form = (STATIC / "js" / "frame" / "form.js").read_text()
    loaded = re.findall(r'"?([\w-]+)"?: \(\) => import\("\./i18n-([\w-]+)\.js"\)', form)
    assert sorted(name for name, file in loaded if name == file) == sorted(set(listed()) - {"en"})
    lazy = assets.served(str(STATIC)).lazy_closure(assets.ENTRY["frame"])[1:]
    assert sorted(lazy) == sorted([*(f"js/frame/i18n-{n}.js" for n in set(listed()) - {"en"}), assets.APPEARANCE])
    assert sorted(m[1] for m in map(assets.CATALOGUE.fullmatch, lazy) if m) == sorted(set(listed()) - {"en"})
