"""Actor names: one normal form, and the alias groups that name one actor.

UCDP writes "HTS" and "Government of Syria", ACLED "Hayat Tahrir al-Sham" and
"Military Forces of Syria (2000-)", reports "Hay’at Tahrir al-Sham" or "Jabhat
a-Nusra". :func:`normalise_actor` folds the spelling (case, diacritics, every kind of
apostrophe, hyphens, spaces, a trailing "(2000-)" qualifier); :func:`actor_key` names
the alias group, so the search, links and the agreement terms compare actors the same
way. :data:`ALIASES` is the one table of groups: only well-established equivalences,
each with where it is documented. Pure data layer: stdlib only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple


class AliasGroup(NamedTuple):
    """One actor: ``name`` (the name shown), its ``aliases``, and the ``source`` that
    documents the equivalence."""

    name: str
    aliases: tuple[str, ...]
    source: str


_REF = "shared reference facts (syria-2017-zones-facts.md)"
ALIASES: tuple[AliasGroup, ...] = (
    AliasGroup("Hay'at Tahrir al-Sham", (
        "HTS", "Hayat Tahrir al-Sham", "Tahrir al-Sham", "Jabhat Fateh al-Sham", "JFS",
        "Jabhat Fatah al-Sham", "Jabhat al-Nusra", "Jabhat a-Nusra", "al-Nusra Front",
        "Nusra Front"),
        "Wikipedia, 'Hay'at Tahrir al-Sham' (formed 28 Jan 2017 from Jabhat Fateh al-Sham, "
        "formerly Jabhat al-Nusra); Syria Direct, 3 Aug 2017, calls HTS 'Jabhat a-Nusra' "
        f"({_REF})"),
    AliasGroup("Government of Syria", (
        "Military Forces of Syria", "Syrian Arab Army", "SAA", "Syrian government forces"),
        "UCDP GED codebook (side_a 'Government of Syria'); ACLED actor names ('Military "
        "Forces of Syria (2000-)'); Wikipedia, 'Syrian Arab Army'"),
    AliasGroup("Islamic State", (
        "IS", "ISIS", "ISIL", "Daesh", "Da'esh", "Islamic State of Iraq and the Levant",
        "Islamic State of Iraq and Syria"),
        "UCDP GED ('IS'); Wikipedia, 'Islamic State' (also known as ISIL, ISIS, Daesh)"),
    AliasGroup("Syrian Democratic Forces", ("SDF", "QSD"),
               "UCDP GED ('SDF'); Wikipedia, 'Syrian Democratic Forces'"),
    AliasGroup("Free Syrian Army", ("FSA",),
               "UCDP GED ('FSA'); Wikipedia, 'Free Syrian Army'"),
    AliasGroup("Syrian National Army", ("SNA", "Turkish-backed Free Syrian Army", "TFSA"),
               "UCDP GED ('SNA'); Wikipedia, 'Syrian National Army'"),
    AliasGroup("Faylaq al-Rahman", ("Rahman Corps", "Failaq al-Rahman"),
               f"UCDP GED ('Rahman Corps'); {_REF} ('Faylaq al-Rahman')"),
    AliasGroup("Faylaq al-Sham", ("Sham Legion", "Failaq al-Sham"),
               "UCDP GED ('Sham Legion'); Wikipedia, 'Sham Legion'"),
    AliasGroup("Government of Russia", (
        "Military Forces of Russia", "Russian Armed Forces"),
        "UCDP GED actor 'Government of Russia (Soviet Union)'; ACLED actor names "
        "('Military Forces of Russia (2000-)')"),
    AliasGroup("Syrian insurgents", ("Opposition Rebels",),
               "UCDP GED (side 'Syrian insurgents': the Syrian armed opposition as one "
               "side); ACLED actor names ('Opposition Rebels (Syria)': its broad label "
               "for the same groups)"),
    AliasGroup("Hezbollah", ("Hizbullah", "Hizballah", "Hizbollah"),
               "Wikipedia, 'Hezbollah' (transliterations)"),
)

# Every apostrophe-like mark spellings add or drop: ASCII, curly, modifier letters.
_APOSTROPHES = "'`´‘’ʻʼʽʾʿˈ′"
_DROP = str.maketrans("", "", _APOSTROPHES)
_HYPHENS = re.compile(r"[-‐‑‒–—―_/]+")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_SPACES = re.compile(r"\s+")


def normalise_actor(name: str) -> str:
    """The comparison form of an actor name: lower case, no diacritics or apostrophes,
    hyphens as spaces, single spaces, no trailing "(2000-)"-style qualifier.

    >>> normalise_actor("Hay’at  Tahrir al-Sham") == normalise_actor("hayat tahrir al sham")
    True
    """
    text = _QUALIFIER.sub("", str(name or "").strip())
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Cf"))
    text = _HYPHENS.sub(" ", text.translate(_DROP))
    return _SPACES.sub(" ", text).strip()


@functools.cache
def _groups() -> dict[str, AliasGroup]:
    """Normalised name or alias -> its group (built once; the table is constant)."""
    found: dict[str, AliasGroup] = {}
    for group in ALIASES:
        for spelling in (group.name, *group.aliases):
            key = normalise_actor(spelling)
            if found.setdefault(key, group) is not group:
                raise ValueError(f"actor alias {spelling!r} is in two groups")
    return found


def alias_group(name: str) -> AliasGroup | None:
    """The group ``name`` belongs to, or None for an actor the table does not know."""
    return _groups().get(normalise_actor(name))


def actor_key(name: str) -> str:
    """The key two names of one actor share: the normalised group name for a known
    actor ("HTS" and "Jabhat al-Nusra" both give "hayat tahrir al sham"), else the
    normalised name itself."""
    group = alias_group(name)
    return normalise_actor(group.name if group else name)


#: Normalised names that mean civilians (UCDP "Civilians", ACLED "Civilians (Syria)").
CIVILIAN_KEYS = frozenset({"civilians", "civilian"})


def side_groups(side: str) -> tuple[str, ...]:
    """The groups a side names, as written: "Ahrar al-Sham, HTS" gives both, an
    empty side none. Commas inside a trailing qualifier "(...)" do not split."""
    text = str(side or "").strip()
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch in ",;" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return tuple(p.strip() for p in parts if p.strip())


def is_civilians(name: str) -> bool:
    """True for the names datasets give civilian victims ("Civilians (Syria)")."""
    return normalise_actor(name) in CIVILIAN_KEYS


def search_terms(name: str) -> str:
    """Words a client-side search over ``name`` should also find: the name and its
    group's names, as written, normalised and with each apostrophe form, so typing
    "Hay’at Tahrir", "hayat tahrir" or "Nusra" finds the option "HTS"."""
    group = alias_group(name)
    spellings = (name, *((group.name, *group.aliases) if group else ()))
    terms: dict[str, None] = {}
    for spelling in spellings:
        for form in (spelling, normalise_actor(spelling),
                     *(spelling.translate(str.maketrans("'’ʼ", mark * 3)) for mark in "'’ʼ")):
            terms[form] = None
    return " ".join(terms)
