"""Citations that read the same in the web book and in JupyterLab.

Sphinx's citation roles (``{footcite}``) need the Sphinx build: in JupyterLab they show
a bare key such as ``lecun1998``. So a chapter writes its citations in the text as
authors and year, "(LeCun et al., 1998)", and ends with a code cell that prints its
reference list, formatted here from the book's one bibliography file,
``book/references.bib``. A cell's Markdown output renders in both places.

Examples
--------
>>> citation("lecun1998")
'LeCun et al., 1998'
>>> cite("dumoulin2016", "krizhevsky2012")
'(Dumoulin & Visin, 2016; Krizhevsky et al., 2012)'
"""

from __future__ import annotations

import codecs
import functools
import re
from pathlib import Path

from IPython.display import Markdown

__all__ = ["BIBFILE", "cite", "citation", "reference", "reference_list"]

#: The book's bibliography, also read by the web book's bibliography page.
BIBFILE = Path(__file__).resolve().parents[2] / "book" / "references.bib"


@functools.cache
def _entries() -> dict:
    import latexcodec  # noqa: F401  (registers the "ulatex" codec; installed with pybtex)
    from pybtex.database import parse_file

    return dict(parse_file(str(BIBFILE)).entries)


def _entry(key: str):
    entries = _entries()
    if key not in entries:
        raise KeyError(
            f"references: no entry {key!r} in {BIBFILE.name}; add it there first "
            f"(it has {len(entries)} entries)"
        )
    return entries[key]


def _plain(text: str) -> str:
    """LaTeX to plain text: accents decoded, braces and ``\\url`` removed."""
    text = re.sub(r"\\url\{([^}]*)\}", r"<\1>", text)
    text = codecs.decode(text.replace("--", "–"), "ulatex")
    return text.replace("{", "").replace("}", "")


def _surnames(key: str) -> list[str]:
    people = _entry(key).persons.get("author", [])
    return [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]


def _author_year(key: str) -> tuple[str, str]:
    names, year = _surnames(key), _plain(_entry(key).fields.get("year", "n.d."))
    if len(names) == 1:
        return names[0], year
    if len(names) == 2 and names[1] != "others":
        return f"{names[0]} & {names[1]}", year
    return f"{names[0]} et al.", year


@functools.cache
def _years() -> dict[str, str]:
    """The year of each entry, with a letter where two entries would cite alike (2017a)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key in _entries():
        groups.setdefault(_author_year(key), []).append(key)
    years = {}
    for (_, year), keys in groups.items():
        keys.sort(key=lambda key: _plain(_entry(key).fields["title"]).lower())
        for i, key in enumerate(keys):
            years[key] = year + ("abcdefghijklmnopqrstuvwxyz"[i] if len(keys) > 1 else "")
    return years


def citation(key: str) -> str:
    """Authors and year of one work, as cited in the text: "LeCun et al., 1998"."""
    who, _ = _author_year(key)
    return f"{who}, {_years()[key]}"


def cite(*keys: str) -> str:
    """A parenthetical citation of one or more works: "(A, 2001; B & C, 2002)"."""
    return "(" + "; ".join(citation(key) for key in keys) + ")"


def _initials(person) -> str:
    first = [*person.first_names, *person.middle_names]
    return " ".join(f"{_plain(name)[0]}." for name in first if _plain(name))


def reference(key: str) -> str:
    """One entry of a reference list, in Markdown."""
    entry = _entry(key)
    fields = {name: _plain(value) for name, value in entry.fields.items()}
    people = entry.persons.get("author", [])
    names = []
    for person in people:
        surname = _plain(" ".join(person.prelast_names + person.last_names))
        if surname == "others":
            names.append("et al.")
            continue
        initials = _initials(person)
        names.append(f"{surname}, {initials}" if initials else surname)
    authors = ", ".join(names[:-1]) + (" & " if len(names) > 1 else "") + names[-1]
    authors = authors.replace(" & et al.", " et al.")
    title = f"*{fields['title']}*" if entry.type == "book" else fields["title"]
    parts = [f"{authors} ({_years()[key]}). {title}."]
    if entry.type == "book" and "publisher" in fields:
        parts.append(fields["publisher"] + ".")
    venue = fields.get("journal") or fields.get("booktitle")
    if venue:
        volume = fields.get("volume", "")
        number = f"({fields['number']})" if "number" in fields else ""
        pages = fields.get("pages", "")
        details = ", ".join(bit for bit in (volume + number, pages) if bit)
        parts.append(f"*{venue}*" + (f", {details}" if details else "") + ".")
    if "howpublished" in fields:
        parts.append(fields["howpublished"] + ".")
    if "eprint" in fields:
        parts.append(f"arXiv:{fields['eprint']}.")
    if "note" in fields:
        parts.append(fields["note"] + ".")
    if "doi" in fields:
        parts.append(f"<https://doi.org/{fields['doi']}>")
    elif "url" in fields:
        parts.append(f"<{fields['url']}>")
    return " ".join(parts)


def reference_list(*keys: str) -> Markdown:
    """The reference list of a chapter: the given works, sorted by author and year."""
    ordered = sorted(set(keys), key=lambda key: (citation(key).lower(), key))
    return Markdown("\n".join(f"- {reference(key)}" for key in ordered))
