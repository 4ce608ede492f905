"""Every translatable string in the code, found with Babel's extractors, and the catalog file
(static/js/i18n/<lang>/<area>.po) each belongs in.

For translators:  .venv/bin/python -m tests.i18n_sources ko [AREA...]
prints the strings of those areas (all areas without any) that the Korean catalogs lack, as .po
entries to translate and append to static/js/i18n/ko/<area>.po.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_file

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("kernel_lab", "draw", "explorer", "training", "architecture_lab", "learn")
# Templates included by one page belong to that page's catalog.
PARTIALS = {
    "_image_lab": "kernel_lab",
    "_numbers_lab": "kernel_lab",
    "_controls": "kernel_lab",
    "_digit_controls": "draw",
}
# The API's messages: the first argument of a ConvLensError (or subclass) built with a literal.
ERROR_CLASSES = (
    *("ConvLensError", "InvalidParameter", "InvalidKernel", "UnknownName", "UnknownResource"),
    *("BadImage", "NoDigit", "ImageTooLarge", "WorkTooLong", "TrainingTooLong", "QueueFull"),
    *("JobFinished", "BodyNotUtf8", "TrainingDiverged", "StorageFull", "Forbidden"),
    *("ArchiveTooLarge", "NotAnArchive", "InvalidValue"),
)
# Messages built outside an error class go through these (app.i18n).
TRANSLATORS = ("translate", "gettext", "N_")


@dataclass(frozen=True)
class Message:
    text: str
    area: str
    where: str  # path:line


def area_of(path: Path) -> str:
    """The catalog a source file's strings go in: its page, "common" or "api"."""
    relative = path.relative_to(ROOT)
    parts = relative.parts
    if parts[0] == "app":  # the models' and the jobs' messages apart from the web API's
        return "api_ml" if parts[1] in ("ml", "jobs") else "api"
    if parts[0] == "templates":
        return PARTIALS.get(path.stem, path.stem if path.stem in PAGES else "common")
    if parts[:2] == ("static", "js") and len(parts) > 2:
        name = parts[2].removesuffix(".js")
        return name if name in PAGES else "common"
    raise ValueError(f"{relative} is not a source of translated strings")


def sources() -> Iterator[tuple[Path, str, dict[str, object], dict[str, str]]]:
    """(file, Babel method, keywords, options) for every file with strings to translate."""
    for path in sorted((ROOT / "templates").glob("*.html")):
        # {% trans %} blocks reach the extractor as gettext() calls.
        # newstyle: a % in a {% trans %} block is looked up as %%, as Jinja renders it.
        options = {"trimmed": "true", "newstyle_gettext": "true"}
        yield path, "jinja2.ext:babel_extract", {"_": None, "gettext": None}, options
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        if "i18n" not in path.relative_to(ROOT).parts:
            yield path, "javascript", {"t": None}, {"parse_template_string": "true"}
    for path in sorted((ROOT / "app").rglob("*.py")):
        yield path, "python", dict.fromkeys((*ERROR_CLASSES, *TRANSLATORS)), {}


# Shipped data a person reads, translated where the API answers with it (area "data"): each
# model's name and description beside it, each sample photo's title and licence.
DATA_FIELDS = {
    "models/*.json": ("name", "description"),
    "static/samples/samples.json": ("title", "licence"),
}


def data_messages() -> list[Message]:
    found = []
    for pattern, fields in DATA_FIELDS.items():
        for path in sorted(ROOT.glob(pattern)):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            for entry in loaded if isinstance(loaded, list) else [loaded]:
                for field in fields:
                    if isinstance(entry.get(field), str) and entry[field].strip():
                        where = f"{path.relative_to(ROOT)}:{field}"
                        found.append(Message(entry[field], "data", where))
    return found


def messages(areas: tuple[str, ...] = ()) -> list[Message]:
    found = [] if areas and "data" not in areas else data_messages()
    for path, method, keywords, options in sources():
        area = area_of(path)
        if areas and area not in areas:
            continue
        for line, text, _comments, _context in extract_from_file(
            method, str(path), keywords=keywords, options=options
        ):
            if isinstance(text, str) and text.strip():
                where = f"{path.relative_to(ROOT)}:{line}"
                found.append(Message(text, area, where))
    return found


def po_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def main(argv: list[str]) -> int:
    from app.i18n import catalog

    if not argv:
        print(__doc__)
        return 2
    language, areas = argv[0], tuple(argv[1:])
    known = catalog(language)
    missing: dict[str, list[Message]] = {}
    for message in messages(areas):
        if message.text not in known:
            missing.setdefault(message.text, []).append(message)
    by_area: dict[str, list[str]] = {}
    for text, where in missing.items():
        by_area.setdefault(where[0].area, []).append(text)
    for area, texts in by_area.items():
        print(f"# ---- {area}.po: {len(texts)} missing")
        for text in texts:
            places = " ".join(m.where for m in missing[text][:3])
            print(f'#: {places}\nmsgid {po_string(text)}\nmsgstr ""\n')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
