"""Incident classes under agreement terms: one row per class and per matching rule."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.classify import class_counts, classify
from dashboard.core.agreements import CLASSES, Agreement, Exemption, Party, Terms

DAMASCUS = timezone(timedelta(hours=3))
HOMS = Agreement(
    id="north-homs-2017", name="North Homs ceasefire", zones=("homs-north",),
    in_effect=datetime(2017, 8, 3, 12, tzinfo=DAMASCUS), source="Syria Direct, 3 Aug 2017",
    parties=(Party("Government and allies", "government",
                   ("Government of Syria", "Military Forces of Syria", "Military Forces of Russia")),
             Party("Opposition factions", "opposition", ("Syrian insurgents", "Free Syrian Army"))),
    exempt=(Exemption("Hay'at Tahrir al-Sham", ("HTS", "Jabhat al-Nusra"), date(2017, 9, 10)),
            Exemption("Liwa Test", (), date(2017, 8, 10), date(2017, 8, 20))),
    non_violent=("Negotiation",))
SOUTH = Agreement(id="southwest-2017", name="Southwest ceasefire", zones=("southwest",),
                  in_effect=datetime(2017, 7, 9, 12, tzinfo=DAMASCUS),
                  parties_note="the parties of the fighting are not reported")
GHOUTA_A = Agreement(id="ghouta-a", name="Ghouta A", zones=("eastern-ghouta",),
                     in_effect=datetime(2017, 7, 22),
                     parties=(Party("Syrian army", "government", ("Government of Syria",)),
                              Party("Jaysh al-Islam", "opposition")))
GHOUTA_B = Agreement(id="ghouta-b", name="Ghouta B", zones=("eastern-ghouta",),
                     in_effect=datetime(2017, 8, 18),
                     parties=(Party("Russia", "government", ("Government of Russia",)),
                              Party("Faylaq al-Rahman", "opposition")))
TERMS = Terms((HOMS, SOUTH, GHOUTA_A, GHOUTA_B))
GOV, INS = "Government of Syria", "Syrian insurgents"

RULES = [  # (day, zone, actor1, actor2, event type, time, class, agreement)
    # outside
    pytest.param("2017-08-05", None, GOV, INS, "", None, "outside", None, id="no-zone"),
    pytest.param("2017-08-02", "homs-north", GOV, INS, "", None, "outside", None, id="before-deal"),
    pytest.param("2017-08-05", "idlib", GOV, INS, "", None, "outside", None, id="zone-without-deal"),
    pytest.param("2017-08-03", "homs-north", GOV, INS, "", "10:30", "outside", None,
                 id="first-day-before-the-hour"),
    # not violent
    pytest.param("2017-08-05", "homs-north", GOV, "", "Aid convoy", None, "not_violent", HOMS.id,
                 id="non-violent-builtin"),
    pytest.param("2017-08-05", "homs-north", GOV, INS, "negotiation", None, "not_violent",
                 HOMS.id, id="non-violent-from-terms-any-case"),
    # unclear
    pytest.param("2017-08-03", "homs-north", GOV, INS, "", None, "unclear", HOMS.id,
                 id="first-day-no-time"),
    pytest.param("2017-08-03", "homs-north", GOV, INS, "", "13:00", "violation", HOMS.id,
                 id="first-day-after-the-hour"),
    pytest.param("2017-08-05", "homs-north", GOV, "IS", "", None, "unclear", HOMS.id,
                 id="party-vs-unknown"),
    pytest.param("2017-08-05", "homs-north", GOV, "", "", None, "unclear", HOMS.id,
                 id="party-vs-empty"),
    pytest.param("2017-09-12", "homs-north", GOV, "Syrian insurgents, HTS", "", None, "unclear",
                 HOMS.id, id="party-vs-mixed-list"),
    pytest.param("2017-08-25", "homs-north", GOV, "Liwa Test", "", None, "unclear", HOMS.id,
                 id="exemption-ended-is-unknown"),
    pytest.param("2017-08-05", "southwest", GOV, INS, "", None, "unclear", SOUTH.id,
                 id="parties-not-reported"),
    # violation
    pytest.param("2017-08-05", "homs-north", GOV, INS, "", None, "violation", HOMS.id,
                 id="party-vs-party"),
    pytest.param("2017-08-05", "homs-north", "government of syria", "SYRIAN INSURGENTS", "", None,
                 "violation", HOMS.id, id="case"),
    pytest.param("2017-08-05", "homs-north", "Gövernment of Sýria", INS, "", None, "violation",
                 HOMS.id, id="diacritics"),
    pytest.param("2017-08-05", "homs-north", "Government   of  Syria ", INS, "", None,
                 "violation", HOMS.id, id="spaces"),
    pytest.param("2017-08-05", "homs-north", "Military Forces of Syria (2000-)", INS, "", None,
                 "violation", HOMS.id, id="qualifier"),
    pytest.param("2017-08-05", "homs-north", "Syrian Arab Army", "FSA", "", None, "violation",
                 HOMS.id, id="alias-table"),
    pytest.param("2017-08-05", "homs-north", GOV, "Civilians (Syria)", "", None, "violation",
                 HOMS.id, id="party-vs-civilians"),
    pytest.param("2017-09-09", "homs-north", GOV, "HTS", "", None, "violation", HOMS.id,
                 id="exempt-before-its-date-is-protected"),
    pytest.param("2017-08-05", "homs-north", GOV, "Ahrar al-Sham, Syrian insurgents", "", None,
                 "violation", HOMS.id, id="list-side-with-a-party"),
    # permitted
    pytest.param("2017-09-10", "homs-north", GOV, "HTS", "", None, "permitted", HOMS.id,
                 id="exempt-from-its-date"),
    pytest.param("2017-09-12", "homs-north", "Hay’at Tahrir al-Sham", GOV, "", None, "permitted",
                 HOMS.id, id="apostrophe-and-either-order"),
    pytest.param("2017-09-12", "homs-north", GOV, "Hayat Tahrir al Sham", "", None, "permitted",
                 HOMS.id, id="hyphens"),
    pytest.param("2017-09-12", "homs-north", GOV, "Ahrar al-Sham, HTS", "", None, "permitted",
                 HOMS.id, id="list-side-exempt-and-unnamed"),
    pytest.param("2017-08-15", "homs-north", GOV, "Liwa Test", "", None, "permitted", HOMS.id,
                 id="exempt-within-until"),
    # non_party
    pytest.param("2017-09-12", "homs-north", "IS", "HTS", "", None, "non_party", HOMS.id,
                 id="is-vs-hts"),
    pytest.param("2017-08-05", "homs-north", "IS", "Civilians", "", None, "non_party", HOMS.id,
                 id="is-vs-civilians"),
    # several agreements in one zone: the gravest class
    pytest.param("2017-08-25", "eastern-ghouta", "Government of Russia", "Rahman Corps", "", None,
                 "violation", "ghouta-b", id="second-deal-violation"),
    pytest.param("2017-08-25", "eastern-ghouta", GOV, "Jaysh al-Islam", "", None,
                 "violation", "ghouta-a", id="first-deal-violation"),
    pytest.param("2017-08-25", "eastern-ghouta", GOV, "HTS", "", None,
                 "unclear", "ghouta-a", id="unclear-beats-non-party"),
]


def _frame(rows):
    return pd.DataFrame(rows, columns=["date", "zone_id", "actor1", "actor2", "event_type", "time"]
                        ).assign(date=lambda f: pd.to_datetime(f["date"]))


@pytest.mark.parametrize(("day", "zone", "actor1", "actor2", "etype", "at", "cls", "agreement"), RULES)
def test_rule_table(day, zone, actor1, actor2, etype, at, cls, agreement):
    out = classify(_frame([(day, zone, actor1, actor2, etype, at)]), TERMS).iloc[0]
    assert (out["classification"], out["agreement_id"]) == (cls, agreement), out["classification_reason"]
    assert out["classification_reason"].endswith(
        {"outside": ": outside", "not_violent": ": not violent", "unclear": ": unclear",
         "violation": ": a violation", "permitted": ": permitted by the deal",
         "non_party": ": no party to the deal involved"}[cls])


def test_every_class_has_a_rule_row():
    assert {p.values[6] for p in RULES} == set(CLASSES)


def test_reasons_in_words():
    out = classify(_frame([
        ("2017-08-05", "homs-north", GOV, INS, "", None),
        ("2017-09-12", "homs-north", GOV, "HTS", "", None),
        ("2017-09-01", "homs-north", GOV, "HTS", "", None),
        ("2017-08-03", "homs-north", GOV, INS, "", None),
    ]), TERMS)["classification_reason"].tolist()
    assert out[0] == ("Government of Syria against Syrian insurgents, both parties to North Homs "
                      "ceasefire, inside homs-north on 5 Aug 2017: a violation")
    assert out[1] == ("Government of Syria (a party to North Homs ceasefire) against HTS (exempt "
                      "from North Homs ceasefire since 10 Sep 2017), inside homs-north on 12 Sep "
                      "2017: permitted by the deal")
    assert "protected by North Homs ceasefire: HTS until its exemption from 10 Sep 2017" in out[2]
    assert "on the day North Homs ceasefire took effect at 12:00, with no time of its own" in out[3]


def test_keeps_the_index_and_extra_non_violent_types():
    frame = _frame([("2017-08-05", "homs-north", GOV, INS, "Shelling", None)] * 2)
    frame.index = [10, 20]
    out = classify(frame, TERMS, non_violent=frozenset({"Shelling"}))
    assert out.index.tolist() == [10, 20]
    assert out["classification"].tolist() == ["not_violent", "not_violent"]
    assert list(out.columns) == ["classification", "classification_reason", "agreement_id"]


def test_empty_and_no_terms():
    assert classify(_frame([]), TERMS).empty
    out = classify(_frame([("2017-08-05", "homs-north", GOV, INS, "", None)]), Terms())
    assert out["classification"].tolist() == ["outside"]


def test_a_million_rows_in_seconds():
    rng = np.random.default_rng(7)
    n = 1_000_000
    actors = np.array([GOV, INS, "HTS", "IS", "Civilians", "Ahrar al-Sham, HTS", ""], dtype=object)
    frame = pd.DataFrame({
        "date": pd.Timestamp("2017-07-01") + pd.to_timedelta(rng.integers(0, 400, n), "D"),
        "zone_id": rng.choice(np.array(["homs-north", "southwest", "eastern-ghouta", None],
                                       dtype=object), n),
        "actor1": rng.choice(actors, n), "actor2": rng.choice(actors, n),
        "event_type": rng.choice(np.array(["State-based conflict", "Aid convoy"], dtype=object), n)})
    started = time.perf_counter()
    out = classify(frame, TERMS)
    assert time.perf_counter() - started < 15  # about 1.5 s on a quiet machine
    assert sum(class_counts(out).values()) == n


def test_bundled_data_classifies(capsys):
    from dashboard.analysis.dataset import load_dataset
    from dashboard.core.paths import geodata_dir
    from dashboard.io.terms_file import BUNDLED_TERMS, load_terms

    data = load_dataset()
    terms = load_terms(geodata_dir() / BUNDLED_TERMS, data.zones["zone_id"].unique())
    out = classify(data.incidents, terms)
    homs = class_counts(out[data.incidents["zone_id"] == "homs-north"])
    with capsys.disabled():
        print(f"\nhoms-north classes: {homs}")
    assert homs["violation"] > 0 and set(homs) == set(CLASSES)
    first_day = out[(data.incidents["zone_id"] == "homs-north")
                    & (data.incidents["date"] == "2017-08-03")]
    assert set(first_day["classification"]) <= {"unclear", "not_violent"}


@pytest.mark.parametrize(("side", "groups"), [
    ("Ahrar al-Sham, HTS", ("Ahrar al-Sham", "HTS")),
    ("HTS; Southern Front ,", ("HTS", "Southern Front")),
    ("Civilians (Syria, Iraq)", ("Civilians (Syria, Iraq)",)),
    ("", ()),
])
def test_side_groups(side, groups):
    from dashboard.core.aliases import side_groups

    assert side_groups(side) == groups


def test_civilians_and_russia_names():
    from dashboard.core.aliases import actor_key, is_civilians

    assert is_civilians("Civilians (Syria)") and is_civilians("civilians") and not is_civilians("IS")
    assert actor_key("Government of Russia (Soviet Union)") == actor_key("Military Forces of Russia (2000-)")


def test_cli_join_classifies_only_when_asked(tmp_path):
    from click.testing import CliRunner

    from dashboard.cli import cli

    runner = CliRunner()
    plain, classified = tmp_path / "plain.csv", tmp_path / "classified.csv"
    result = runner.invoke(cli, ["join", "-o", str(plain)])
    assert result.exit_code == 0, result.output
    assert "classification" not in pd.read_csv(plain, nrows=1).columns
    result = runner.invoke(cli, ["join", "-o", str(classified), "--terms", "bundled"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(classified, encoding="utf-8-sig")
    assert set(out["classification"]) <= set(CLASSES)
    assert {"classification_reason", "agreement_id"} <= set(out.columns)
    result = runner.invoke(cli, ["join", "-o", str(classified), "--terms", str(tmp_path / "no.json")])
    assert result.exit_code == 1 and "no such terms file" in result.output
