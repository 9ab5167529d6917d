"""Actor names: one normal form, one alias table (the search and the agreement terms)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dashboard.core.aliases import ALIASES, actor_key, alias_group, normalise_actor, search_terms


@pytest.mark.parametrize(("name", "normal"), [
    ("Hay'at Tahrir al-Sham", "hayat tahrir al sham"),
    ("Hay’at Tahrir al-Sham", "hayat tahrir al sham"),       # curly apostrophe
    ("Hayʼat Taḥrīr al-Shām", "hayat tahrir al sham"),       # modifier letter, diacritics
    ("  HAY`AT   TAHRIR  AL SHAM ", "hayat tahrir al sham"),  # case, spaces, backtick
    ("Military Forces of Syria (2000-)", "military forces of syria"),  # ACLED qualifier
    ("Jaysh al-Asha’er", "jaysh al ashaer"),
    ("Ahrar al–Sham", "ahrar al sham"),                        # en dash
    ("", ""),
])
def test_normalise_actor(name, normal):
    assert normalise_actor(name) == normal


@pytest.mark.parametrize("names", [
    ("HTS", "Hay'at Tahrir al-Sham", "Hay’at Tahrir al-Sham", "Jabhat Fateh al-Sham",
     "Jabhat al-Nusra", "jabhat a-nusra"),
    ("Government of Syria", "Military Forces of Syria (2000-)", "Syrian Arab Army",
     "Syrian government forces"),
    ("IS", "ISIS", "ISIL", "Islamic State", "Daesh"),
    ("SDF", "Syrian Democratic Forces"),
    ("FSA", "Free Syrian Army"),
    ("Rahman Corps", "Faylaq al-Rahman"),
    ("Syrian insurgents", "Opposition Rebels (Syria)"),  # UCDP's and ACLED's broad labels
])
def test_aliases_share_one_key(names):
    assert len({actor_key(n) for n in names}) == 1


def test_ucdp_data_keep_their_keys():
    """A group named as UCDP writes it: the bundled rows' actor keys do not change."""
    assert actor_key("Syrian insurgents") == "syrian insurgents"


def test_different_actors_keep_different_keys():
    keys = [actor_key(n) for n in ("HTS", "Ahrar al-Sham", "IS", "SDF", "FSA", "SNA",
                                   "Syrian insurgents",
                                   "Government of Syria", "Government of Turkey",
                                   "Government forces")]
    assert len(set(keys)) == len(keys)


def test_an_unknown_actor_is_its_own_normalised_name():
    assert actor_key("Liwa al-Aqsa") == actor_key("liwa al aqsa") == "liwa al aqsa"
    assert alias_group("Liwa al-Aqsa") is None


def test_every_group_names_its_source_and_no_alias_is_in_two_groups():
    for group in ALIASES:
        assert group.source.strip(), group.name
        assert alias_group(group.name) is group
        for alias in group.aliases:
            assert alias_group(alias) is group, alias


@pytest.mark.parametrize("typed", ["Hay'at Tahrir", "Hay’at Tahrir", "hayat tahrir", "Nusra",
                                   "fateh"])
def test_search_terms_let_the_list_find_hts_by_any_name(typed):
    """The actor list's client-side search matches every typed word inside a word of the
    option's label or search terms, ignoring case (js-search, as Dash's dropdown uses)."""
    words = search_terms("HTS").casefold().split()
    assert all(any(part.casefold() in word for word in words) for part in typed.split())


def test_search_terms_of_an_unknown_actor_are_its_own_forms():
    assert search_terms("Jaysh al-Asha’er").split()[:2] == ["Jaysh", "al-Asha’er"]
    assert "ashaer" in search_terms("Jaysh al-Asha’er")


def test_the_alias_table_loads_nothing_but_the_standard_library():
    code = ("import sys, dashboard.core.aliases; print(sorted({m.split('.')[0] for m in sys.modules}"
            " & {'pandas', 'numpy', 'dash', 'plotly'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
