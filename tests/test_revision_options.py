"""The GHG Protocol revision options (plugins/tanso_ghgp/revision.py): metadata, the generated page
docs/revision-options.md, and the options that change numbers in `market_based` (hourly matching,
the hourly-matching exemption, deliverability, the residual-mix fallback, standard supply service,
the legacy clause), evaluated for real on small rulesets in tmp_path."""

from __future__ import annotations

import importlib.util
from decimal import Decimal

import pytest

from conftest import REPO, fetch, make_case, rejects
from tanso.diagnostics import InputError
from tanso.parameters import ValidationError, validate_value

from tanso_ghgp.revision import ALL_OPTIONS, HOURLY_EXEMPTION_SENSITIVITY_GWH, draft_values

STATUSES = {"consulted", "progress_update", "white_paper", "published"}


def _generator():
    spec = importlib.util.spec_from_file_location("generate_option_docs", REPO / "scripts" / "generate_option_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------- metadata


def test_the_generated_page_is_current(registry):
    page = REPO / "docs" / "revision-options.md"
    assert page.exists(), "run scripts/generate_option_docs.py"
    assert page.read_text() == _generator().render(registry), \
        "docs/revision-options.md is stale: run .venv/bin/python scripts/generate_option_docs.py"


def test_every_option_is_registered_once_and_carries_provenance(registry):
    names = [o.name for o in ALL_OPTIONS]
    assert len(names) == len(set(names))
    for option in ALL_OPTIONS:
        assert registry.policy_options[option.name] is option
        assert option.status in STATUSES, option.name
        assert option.doc, option.name
        if option.status != "published":
            assert option.source_doc and option.as_of, option.name


@pytest.mark.parametrize("option", ALL_OPTIONS, ids=[o.name for o in ALL_OPTIONS])
def test_default_and_revised_values_validate(option):
    assert validate_value(option.type, option.default) == option.default
    if option.revised is not None:
        assert validate_value(option.type, option.revised) == option.revised


def test_bounds_are_enforced():
    options = {o.name: o for o in ALL_OPTIONS}
    with pytest.raises(ValidationError):
        validate_value(options["scope3.cat16.facilitated_weight"].type, "1.5")
    with pytest.raises(ValidationError):
        validate_value(options["scope2.market.hourly_exemption_gwh"].type, "-1")
    with pytest.raises(ValidationError):
        validate_value(options["scope2.market.matching"].type, "monthly")
    with pytest.raises(ValidationError):
        validate_value(options["ami.credit_netting"].type, True)  # locked


def test_the_existing_options_keep_their_defaults():
    options = {o.name: o for o in ALL_OPTIONS}
    assert options["boundary.approach"].default == "operational_control"
    assert options["boundary.approach"].revised == "financial_control"
    assert options["gwp.set"].default == "AR5" and options["gwp.set"].revised == "AR6"
    assert options["gwp.methane_by_origin"].default is True


def test_the_hourly_exemption_value_is_left_open():
    option = {o.name: o for o in ALL_OPTIONS}["scope2.market.hourly_exemption_gwh"]
    assert option.default is None and option.revised is None
    assert "blank" in option.doc and all(str(v) in option.doc for v in (5, 10, 50))
    assert "scope2.market.hourly_exemption_gwh" not in draft_values()


# ----------------------------------------------------------------------------------- market_based

S2_RULESET = """\
ruleset s2_revision
input electricity
  key row_id
  columns entity: text, period: text, hour: integer, grid_region: text, quantity: decimal(18,6), unit: text
input certificates
  key row_id
  columns certificate_id: text, entity: text, period: text, hour: integer, grid_region: text,
          quantity: decimal(18,6), unit: text, legacy: boolean
input sss
  key row_id
  columns certificate_id: text, entity: text, period: text, hour: integer, grid_region: text,
          quantity: decimal(18,6), unit: text
factors residual_mix "residual mix" file "factors/residual_mix.csv"
factors grid "grid average" file "factors/grid.csv"
factors fossil "fossil-only grid average" file "factors/fossil.csv"

rule s2.market "Purchased electricity, market-based"
  scope 2
  basis market
  from electricity
  calc market_based(certificates: certificates, allocate_by: [entity, period], residual_mix: residual_mix,
                    location: grid, {extra})
"""

FACTORS = {
    "residual_mix": [{"factor_id": "RM-A", "grid_region": "A", "gas": "CO2e", "value": "0.5", "unit": "kg", "per": "kWh"},
                     {"factor_id": "RM-B", "grid_region": "B", "gas": "CO2e", "value": "0.5", "unit": "kg", "per": "kWh"}],
    "grid": [{"factor_id": f"G-{r}", "grid_region": r, "gas": "CO2e", "value": "0.4", "unit": "kg", "per": "kWh"}
             for r in "ABC"],
    "fossil": [{"factor_id": f"F-{r}", "grid_region": r, "gas": "CO2e", "value": "0.9", "unit": "kg", "per": "kWh"}
               for r in "ABC"],
}


def use(row_id, hour, quantity, entity="E1", region="A", unit="kWh"):
    return {"row_id": row_id, "entity": entity, "period": "2025", "hour": hour, "grid_region": region,
            "quantity": quantity, "unit": unit}


def cert(row_id, hour, quantity, entity="E1", region="A", unit="kWh", legacy=False):
    return {"row_id": row_id, "certificate_id": row_id, "entity": entity, "period": "2025", "hour": hour,
            "grid_region": region, "quantity": quantity, "unit": unit, "legacy": str(legacy).lower()}


def sss_row(row_id, hour, quantity, **kwargs):
    return {k: v for k, v in cert(row_id, hour, quantity, **kwargs).items() if k != "legacy"}


def s2_case(tmp_path, electricity, certificates, sss=(), extra="fossil: fossil"):
    """Empty tables get one zero-quantity row (a CSV needs a header; zero-quantity certificates count for nothing)."""
    return make_case(tmp_path, S2_RULESET.format(extra=extra),
                     {"electricity": electricity, "certificates": list(certificates) or [cert("C0", 1, "0")],
                      "sss": list(sss) or [sss_row("S0", 1, "0")]}, FACTORS)


def covered_kwh(result) -> Decimal:
    rows = fetch(result, "run_ledger")
    return sum((r["quantity"] for r in rows if r["method"].startswith("market-based: energy attribute")), Decimal(0))


def co2e(result) -> Decimal:
    return sum((r["co2e_kg"] for r in fetch(result, "run_ledger")), Decimal(0))


# One site in grid region A using 100 kWh in hour 1 and 100 kWh in hour 2; certificates for 150 kWh
# generated in region A in hour 1 and for 80 kWh generated in region B in hour 2.
SITE = [use("U1", 1, "100"), use("U2", 2, "100")]
CERTS = [cert("C1", 1, "150"), cert("C2", 2, "80", region="B")]


@pytest.fixture
def site(tmp_path):
    return s2_case(tmp_path, SITE, CERTS)


def test_annual_matching_covers_more_than_hourly(site):
    annual = site.run("annual")
    hourly = site.run("hourly", overrides={"scope2.market.matching": "hourly"})
    # annual: one pool of 230 kWh for 200 kWh; hourly: hour 1 takes 100 of 150 (50 are lost), hour 2 takes 80
    assert covered_kwh(annual) == 200 and co2e(annual) == 0
    assert covered_kwh(hourly) == 180 and co2e(hourly) == Decimal("10")   # 20 kWh × residual mix 0.5
    methods = {r["method"] for r in fetch(hourly, "run_ledger")}
    assert "market-based: energy attribute certificates (hourly matching)" in methods
    assert {r["method"] for r in fetch(annual, "run_ledger")} == {"market-based: energy attribute certificates"}


def test_deliverability_excludes_certificates_from_another_market(site):
    same = {"scope2.market.deliverability": "same_market"}
    annual = site.run("annual_same", overrides=same)
    hourly = site.run("hourly_same", overrides={**same, "scope2.market.matching": "hourly"})
    assert covered_kwh(annual) == 150 and co2e(annual) == Decimal("25")   # region B's 80 kWh do not count
    assert covered_kwh(hourly) == 100 and co2e(hourly) == Decimal("50")   # only hour 1 in region A


def test_rows_without_an_hour_are_not_matched_under_hourly_matching(tmp_path):
    case = s2_case(tmp_path, [use("U1", None, "100")], [cert("C1", 1, "100"), cert("C2", None, "100")])
    assert covered_kwh(case.run("annual")) == 100
    hourly = case.run("hourly", overrides={"scope2.market.matching": "hourly"})
    assert covered_kwh(hourly) == 0 and co2e(hourly) == Decimal("50")
    assert not rejects(hourly)


def test_the_hour_column_is_required_only_under_hourly_matching(tmp_path):
    case = s2_case(tmp_path, SITE, CERTS, extra="hourly_by: [slot]")
    assert covered_kwh(case.run("annual")) == 200
    with pytest.raises(InputError, match="slot"):
        case.run("hourly", overrides={"scope2.market.matching": "hourly"})


# Three entities in region A, each using half its consumption in hour 1 and half in hour 2, with
# certificates for all of it in hour 1: annual matching covers everything, hourly half.
SIZES_MWH = {"SMALL": 4_000, "MID": 8_000, "BIG": 30_000}   # 4, 8 and 30 GWh a year


@pytest.fixture
def group(tmp_path):
    electricity, certificates = [], []
    for entity, mwh in SIZES_MWH.items():
        electricity += [use(f"{entity}-1", 1, mwh // 2, entity, unit="MWh"), use(f"{entity}-2", 2, mwh // 2, entity, unit="MWh")]
        certificates.append(cert(f"C-{entity}", 1, mwh, entity, unit="MWh"))
    return s2_case(tmp_path, electricity, certificates)


def by_entity(result) -> dict[str, Decimal]:
    totals = {e: Decimal(0) for e in SIZES_MWH}
    for row in fetch(result, "run_ledger"):
        totals[row["entity"]] += row["co2e_kg"]
    return totals


def half(entity) -> Decimal:
    return Decimal(SIZES_MWH[entity] // 2 * 1000) * Decimal("0.5")  # the uncovered half at the residual mix


@pytest.mark.parametrize("gwh, exempt", [(Decimal(5), {"SMALL"}), (Decimal(10), {"SMALL", "MID"}),
                                         (Decimal(50), {"SMALL", "MID", "BIG"})])
def test_the_exemption_threshold_switches_entities_to_annual_matching(group, gwh, exempt):
    assert gwh in HOURLY_EXEMPTION_SENSITIVITY_GWH
    result = group.run(f"x{gwh}", overrides={"scope2.market.matching": "hourly",
                                             "scope2.market.hourly_exemption_gwh": str(gwh)})
    assert by_entity(result) == {e: (Decimal(0) if e in exempt else half(e)) for e in SIZES_MWH}
    labels = {r["entity"]: r["method"] for r in fetch(result, "run_ledger") if "certificates" in r["method"]}
    for entity in SIZES_MWH:
        assert ("annual matching, exempt" in labels[entity]) == (entity in exempt), labels[entity]


def test_without_a_threshold_every_entity_is_matched_hourly_and_annual_matching_ignores_it(group):
    hourly = group.run("none", overrides={"scope2.market.matching": "hourly"})
    assert by_entity(hourly) == {e: half(e) for e in SIZES_MWH}
    annual = group.run("annual", overrides={"scope2.market.hourly_exemption_gwh": "5"})
    assert by_entity(annual) == {e: Decimal(0) for e in SIZES_MWH}


# Region C publishes no residual mix: 100 kWh there, no certificates.


def test_residual_mix_fallback_location_or_fossil(tmp_path):
    case = s2_case(tmp_path, [use("U1", 1, "100", region="C")], [])
    location = case.run("location")
    fossil = case.run("fossil", overrides={"scope2.market.residual_mix_fallback": "fossil"})
    assert co2e(location) == Decimal("40")
    assert [r["factor_id"] for r in fetch(location, "run_ledger")] == ["G-C"]
    assert co2e(fossil) == Decimal("90")
    assert [(r["factor_id"], r["method"]) for r in fetch(fossil, "run_ledger")] == \
        [("F-C", "market-based: fossil fallback (no residual mix)")]


def test_the_fossil_fallback_without_a_fossil_set_rejects_rather_than_using_the_grid_average(tmp_path):
    case = s2_case(tmp_path, [use("U1", 1, "100", region="C"), use("U2", 1, "100")], [], extra="grid_match: [grid_region]")
    result = case.run("fossil", overrides={"scope2.market.residual_mix_fallback": "fossil"})
    assert co2e(result) == Decimal("50")   # U2 at region A's residual mix
    [reject] = rejects(result)
    assert reject["row_id"] == "U1" and "residual_mix_fallback = fossil" in reject["reason"]


def test_standard_supply_service_shares_count_like_certificates_only_when_on(tmp_path):
    case = s2_case(tmp_path, [use("U1", 1, "100")], [], sss=[sss_row("SSS-1", 1, "30")],
                   extra="sss: sss")
    assert co2e(case.run("off")) == Decimal("50")
    on = case.run("on", overrides={"scope2.market.standard_supply_service": "true"})
    assert co2e(on) == Decimal("35") and covered_kwh(on) == 30
    # Covered rows name the pool they drew from (its keys and size); the keys find SSS-1 in its table.
    assert any(r["factor_id"].startswith("certificates:") and r["factor_id"].endswith("(1 certificates)")
               for r in fetch(on, "run_ledger"))


def test_the_legacy_clause_keeps_old_contracts_on_the_in_force_keys(tmp_path):
    # C2 is an old contract from region B, hour 2: it fails both hourly matching and deliverability.
    case = s2_case(tmp_path, SITE, [cert("C1", 1, "150"), cert("C2", 2, "80", region="B", legacy=True)])
    strict = {"scope2.market.matching": "hourly", "scope2.market.deliverability": "same_market"}
    assert covered_kwh(case.run("strict", overrides=strict)) == 100
    legacy = case.run("legacy", overrides={**strict, "scope2.market.legacy_clause": "true"})
    assert covered_kwh(legacy) == 180 and co2e(legacy) == Decimal("10")
    assert any("incl. legacy contracts" in r["method"] for r in fetch(legacy, "run_ledger"))


def test_default_policies_leave_market_based_as_before(site):
    """Under the in-force defaults no hour, market or legacy column is read and the method label is
    the Scope 2 Guidance's."""
    result = site.run("default")
    assert {r["factor_id"] for r in fetch(result, "run_ledger")} == {"certificates:E1/2025 (2 certificates)"}


# ----------------------------------------------------------------------------------- the draft preset


def test_the_draft_preset_sets_the_revised_values_with_provenance():
    from tanso.run import prepare
    ruleset = prepare(REPO / "rulesets" / "ghgp-draft-2026").ruleset
    assert ruleset.layers == ("ghgp_current", "ghgp_draft_2026")
    options = {o.name: o for o in ALL_OPTIONS}
    set_here = {n: v for n, v in ruleset.policies.items() if v.layer == "ghgp_draft_2026"}
    assert set(set_here) == set(draft_values())
    for name, value in set_here.items():
        assert value.value == options[name].revised, name
        assert value.provenance.source and value.provenance.as_of and value.provenance.status == options[name].status
    assert "scope2.market.hourly_exemption_gwh" not in set_here
    assert ruleset.rules["s3.cat16.facilitated"].node.category == 16
