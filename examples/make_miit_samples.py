"""Generate MIIT 2024 sample answers for the sample park's firms from their quick-scan answers.

    python examples/make_miit_samples.py [--period 2026Q3] [--out examples/miit_2024]

For every quick-scan answer file in `examples/sample_park/<period>/`, the script writes an answer
file for `miit_2024_manufacturing` from the same visit (same firm, assessor and date). The answers
follow from the quick scan wherever the two ask about the same thing, so that the two results
agree with each other:

- the eight scenarios both rate (production control, quality, equipment, procurement, warehouse,
  finance, sales, energy) keep the quick scan's level; the other eight follow the firm's maturity
  (its quick-scan overall score) and related answers (paper ledgers, approvals online, reporting);
- device counts, digital spending and revenue are the quick scan's figures; the figures for the
  year before (revenue, costs, head-count, energy use, pass rate) are drawn around them, better
  firms improving more;
- networks, systems, security, planning, rules and talent follow the corresponding quick-scan
  answers; a business step counts as collected automatically when its scenario is at level 2 or
  above (run in an information system).

All randomness comes from `random.Random` seeded by strings built from SEED, the firm and the item,
so a re-run writes byte-identical files. Computed questions (shares, trends) are left to the engine.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

from assessment import AnswerSheet, ScoreCard, load_answers, load_questionnaire, score
from assessment.files.atomic import write_atomic

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260918
PROFILE = "miit_2024_manufacturing"

# MIIT scenario -> the quick-scan question that rates the same business.
SHARED_SCENARIOS = {
    "scenario_marketing": "sales_mgmt",
    "scenario_production_control": "production_control",
    "scenario_quality": "quality_control",
    "scenario_equipment": "equipment_mgmt",
    "scenario_energy": "energy_mgmt",
    "scenario_procurement": "procurement_mgmt",
    "scenario_warehousing": "warehouse_mgmt",
    "scenario_finance": "finance_mgmt",
}
# MIIT business step (automatic data collection) -> the scenario that runs it.
STEP_SCENARIO = {
    "product_design": "scenario_product_design",
    "process_design": "scenario_process_design",
    "marketing": "scenario_marketing",
    "after_sales": "scenario_after_sales",
    "planning": "scenario_planning",
    "production_control": "scenario_production_control",
    "quality": "scenario_quality",
    "equipment": "scenario_equipment",
    "safety": "scenario_safety",
    "energy": "scenario_energy",
    "procurement": "scenario_procurement",
    "warehousing": "scenario_warehousing",
    "finance": "scenario_finance",
    "human_resources": "scenario_hr",
}
# Energy use per 10k CNY of revenue (tce), by industry: a plausible order of magnitude.
ENERGY_INTENSITY = {
    "metal_processing": 0.08,
    "machinery": 0.05,
    "electronic_information": 0.03,
    "nev_parts": 0.045,
    "energy_storage": 0.05,
    "optoelectronics": 0.04,
    "other": 0.05,
}
SHARE5 = {"under_10": 0, "p10_30": 1, "p30_60": 2, "p60_90": 3, "over_90": 4}
REPORTING = {"verbal": 0, "monthly_excel": 1, "system_reports": 2, "realtime_dashboard": 3}


def rng_for(*parts: object) -> random.Random:
    """A generator seeded by SEED and the parts, the same in every run and every process."""
    return random.Random(":".join([str(SEED), *(str(p) for p in parts)]))  # noqa: S311


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class Firm:
    """What the quick scan says about one firm: its answers, scores and maturity (0–1)."""

    def __init__(self, sheet: AnswerSheet, card: ScoreCard) -> None:
        self.sheet = sheet
        self.code = sheet.firm.credit_code
        self.answers = {k: a.value for k, a in sheet.answers.items()}
        self.maturity = (card.overall or 0.0) / 100
        self.scores = {d.id: (d.score or 0.0) / 100 for d in card.dimensions}

    def get(self, qid: str, default: Any = None) -> Any:
        value = self.answers.get(qid, default)
        return default if value in ("n/a", "unknown", None) else value

    def noise(self, item: str, spread: float) -> float:
        return rng_for(self.code, item).uniform(-spread, spread)


def scenarios(firm: Firm) -> dict[str, int]:
    m = firm.maturity

    def by_maturity(item: str, factor: float, offset: float = 0.0) -> int:
        return round(clip(4 * m * factor + offset + firm.noise(item, 0.6), 0, 4))

    levels = {s: firm.get(q) for s, q in SHARED_SCENARIOS.items()}
    for scenario, level in levels.items():
        if level is None:  # not applicable or unknown in the quick scan
            levels[scenario] = by_maturity(scenario, 0.8)
    paper = set(firm.get("paper_processes", []))
    levels.update(
        scenario_product_design=by_maturity("product_design", 0.9),
        scenario_process_design=by_maturity("process_design", 0.8),
        scenario_after_sales=by_maturity("after_sales", 0.75),
        scenario_planning=min(int(levels["scenario_production_control"]), by_maturity("plan", 1)),
        scenario_safety=by_maturity("safety", 0.85),
        scenario_hr=by_maturity("hr", 0.9, -0.8 if "hr" in paper else 0.3),
        scenario_office=min(4, SHARE5[firm.get("approvals_online", "under_10")] + int(m > 0.85)),
        scenario_decision=min(4, REPORTING[firm.get("mgmt_reporting", "verbal")] + int(m > 0.85)),
    )
    return {s: int(v) for s, v in levels.items()}


def foundation(firm: Firm, levels: dict[str, int]) -> dict[str, Any]:
    m, infra = firm.maturity, firm.scores.get("infrastructure", firm.maturity)
    total = int(firm.get("production_devices", 0))
    networked = min(total, int(firm.get("networked_devices", 0)))
    digital = networked + round((total - networked) * clip(0.2 + 0.6 * infra, 0, 1))
    network = {
        "office_only": [],
        "office_partial": ["workshop_control_network"] if networked * 10 > total else [],
        "workshop_full": ["workshop_control_network", "application_network"],
        "industrial": ["workshop_control_network", "application_network", "full_coverage"],
    }[firm.get("network_coverage", "office_only")]
    if network and m > 0.85:
        network.insert(2, "industrial_5g")
    systems = [s for s in firm.get("systems_in_use", []) if s != "none"]
    coverage = ["none", "one_step", "several_steps", "several_steps", "most_steps", "most_steps"]
    measures = set(firm.get("security_measures", []))
    network_security = [
        name
        for name, held in (
            ("rules", "security_rules" in measures),
            ("products", bool(measures & {"firewall", "access_control"})),
            ("risk_assessment", infra > 0.7),
            ("boundary_control", {"firewall", "access_control", "device_control"} <= measures),
        )
        if held
    ]
    backup = firm.get("data_backup", "none")
    data_security = [
        name
        for name, held in (
            ("rules", "security_rules" in measures and backup != "none"),
            ("products", backup in ("scheduled_local", "offsite_tested")),
            ("risk_assessment", m > 0.75),
            ("data_inventory", m > 0.85),
        )
        if held
    ]
    steps = [step for step, scenario in STEP_SCENARIO.items() if levels[scenario] >= 2]
    return {
        "network_connectivity": network or ["none"],
        "total_devices": total,
        "digital_devices": digital,
        "networked_devices": networked,
        "auto_collection_steps": steps or ["none"],
        "system_coverage": coverage[len(systems)] if len(systems) < 6 else "all_steps",
        "network_security": network_security or ["none"],
        "data_security": data_security or ["none"],
    }


def management(firm: Firm) -> dict[str, Any]:
    m = firm.maturity
    stage = {
        "none": "none",
        "wait_and_see": "learning",
        "if_subsidised": "learning",
        "planned": "planned",
        "in_progress": "retrofits_started",
    }[firm.get("transform_willingness", "none")]
    if stage == "learning" and firm.get("digital_plan") in ("written", "approved"):
        stage = "planned"
    if stage == "retrofits_started" and m >= 0.6:
        stage = "results"
    if firm.get("leader_learning") == "four_plus" and m >= 0.75:
        stage = "peer_learning"
    rules = ["transformation_workflow", "system_operation_rules", "data_management_rules"]
    rules.append("innovation_incentives")
    plan = {"none": 0, "ideas": 0, "written": 1, "approved": 2}[firm.get("digital_plan", "none")]
    talent = [
        name
        for name, held in (
            ("digital_staff", float(firm.get("digital_staff", 0)) > 0),
            ("dedicated_unit", firm.get("it_owner") in ("department", "executive")),
            ("regular_training", firm.get("training_freq") in ("two_three", "four_plus")),
            ("pay_scheme", m > 0.7),
            ("tiered_development", m > 0.85),
        )
        if held
    ]
    spend = float(firm.get("digital_spend", 0))
    return {
        "transformation_stage": stage,
        "management_rules": rules[: plan + int(m > 0.6) + int(m > 0.8)] or ["none"],
        "talent_measures": talent or ["none"],
        # the three-year average trails last year's spending a little
        "digital_investment": round(spend * (0.8 + 0.15 * firm.noise("invest", 1) ** 2), 1),
    }


def results(firm: Firm, levels: dict[str, int]) -> dict[str, Any]:
    m, facts = firm.maturity, firm.sheet.firm
    revenue = round(facts.revenue or 1000.0)
    growth = -0.05 + 0.15 * m + firm.noise("growth", 0.04)
    employees = facts.employees
    cost_ratio = 0.9 - 0.08 * m + firm.noise("cost", 0.03)
    cost_change = 0.02 - 0.06 * m + firm.noise("cost_change", 0.015)
    intensity = ENERGY_INTENSITY.get(facts.industry, 0.05) * (1 + firm.noise("intensity", 0.2))
    energy_change = 0.05 - 0.02 * levels["scenario_energy"] - 0.04 * m + firm.noise("energy", 0.03)
    revenue_before = round(revenue / (1 + growth))
    pass_before = clip(92 + 5 * m + firm.noise("pass", 1.0), 80, 99.5)
    pass_change = -0.5 + 0.3 * levels["scenario_quality"] + firm.noise("pass_change", 0.4)
    return {
        "energy_last_year": round(revenue * intensity * (1 + energy_change), 1),
        "energy_year_before": round(revenue_before * intensity, 1),
        "pass_rate_now": round(clip(pass_before + pass_change, 80, 99.9), 1),
        "pass_rate_before": round(pass_before, 1),
        "revenue_last_year": revenue,
        "revenue_year_before": revenue_before,
        "employees_last_year": employees,
        "employees_year_before": max(1, round(employees / (1 + firm.noise("staff", 0.06)))),
        "cost_last_year": round(revenue * cost_ratio * (1 + cost_change)),
        "cost_year_before": round(revenue_before * cost_ratio),
    }


def miit_answers(firm: Firm) -> dict[str, Any]:
    levels = scenarios(firm)
    found = {**foundation(firm, levels), **management(firm), **results(firm, levels), **levels}
    order = [q.id for q in load_questionnaire(PROFILE).questions()]
    return {qid: found[qid] for qid in order if qid in found}


class _Dumper(yaml.SafeDumper):
    """Block mappings, lists of choices on one line: `[a, b]`, as people write them."""


_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def document(firm: Firm) -> bytes:
    q = load_questionnaire(PROFILE)
    sheet = firm.sheet
    body = {
        "questionnaire": {"id": q.id, "version": q.version},
        "firm": sheet.firm.model_dump(exclude_none=True),
        "period": sheet.period,
        "assessor": sheet.assessor,
        "assessed_on": sheet.assessed_on,
        "answers": miit_answers(firm),
    }
    head = (
        "# Generated by examples/make_miit_samples.py from this firm's quick-scan answers of the\n"
        "# same visit; change the script, not this file.\n"
    )
    options: dict[str, Any] = dict(allow_unicode=True, sort_keys=False, width=100)
    text = yaml.dump(body, Dumper=_Dumper, default_flow_style=False, **options)
    return (head + text).encode("utf-8")


def generate(period: str, out: Path) -> list[Path]:
    source = ROOT / "examples" / "sample_park" / period
    written = []
    for path in sorted(source.glob("*.yaml")):
        sheet = load_answers(path)
        card = score(load_questionnaire(sheet.questionnaire.id or ""), sheet)
        target = out / period / f"{sheet.firm.credit_code}.yaml"
        write_atomic(target, document(Firm(sheet, card)))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2026Q3", help="quarter of the quick-scan answers")
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "miit_2024")
    args = parser.parse_args(argv)
    for path in generate(args.period, args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
