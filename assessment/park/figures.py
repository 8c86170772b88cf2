"""The work summary's figures of change: scenarios adopted, firms that moved a level,
demonstration places filled, and the firms each recognition names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..display import period as period_label
from ..models.common import Lang, TextValue
from .adoption import FirmAdoption, ScenarioAdoption
from .recognition import Candidates

T = TextValue


@dataclass(frozen=True)
class Figure:
    """One number of the summary: its value, what it counts, and the firms it is a share of."""

    id: str
    label: TextValue
    value: float | None
    counts: TextValue
    of: int | None = None
    proportion: bool = True  # whether value / of is a meaningful share
    # What was never imported, so that the figure is unknown rather than zero (value is None).
    missing: TextValue | None = None
    # How a count that is not a share of `of` reads, with {value} and {of}.
    unit: TextValue | None = None

    @property
    def share(self) -> float | None:
        if not self.proportion or self.value is None or not self.of:
            return None
        return round(self.value / self.of, 4)

    @property
    def reason(self) -> TextValue | None:
        """Why the figure has no value: the source to import, in both languages."""
        if self.missing is None:
            return None
        return T(zh=f"未导入：{self.missing.zh}", en=f"not imported: {self.missing.en}")

    def shown(self, lang: Lang) -> str:
        """The value as one phrase: `17 / 28 (60.7%)`, `37 个场景，涉及 14 家企业`, `未导入…`."""
        reason = self.reason
        if reason is not None:
            return reason.get(lang)
        if self.value is None:
            return "—"
        value = f"{self.value:g}"
        if self.unit is not None and self.of is not None:
            return self.unit.get(lang).format(value=value, of=self.of)
        if self.of is None:
            return value
        share = self.share
        if share is None:
            return f"{value} / {self.of}"
        return f"{value} / {self.of}" + (f"（{share:.1%}）" if lang == "zh" else f" ({share:.1%})")


@dataclass(frozen=True)
class TierRow:
    """A demonstration tier: firms shortlisted against the places the park set."""

    tier: str
    label: TextValue
    filled: int
    places: int


def progress_figures(
    adoption: Sequence[ScenarioAdoption],
    adopters: Sequence[FirmAdoption],
    moves: Mapping[str, int],
    tiers: Sequence[TierRow],
    periods: Sequence[str],
    compared: bool = True,
) -> list[Figure]:
    """What changed: scenarios adopted, firms that moved a level, demonstration places filled.

    With no earlier period to compare with (`compared` false) change is unknown, not zero."""
    earlier = (
        None if compared else T(zh="上一季度的诊断结果", en="the previous quarter's assessments")
    )
    panel = sum(moves.values())
    adoption_panel = len({a.credit_code for a in adopters})
    adopting = len({a.credit_code for a in adopters if a.adopted})
    latest = T(zh=period_label(periods[-1], "zh"), en=period_label(periods[-1], "en"))
    return [
        Figure(
            "adopted",
            T(zh="已落地的推荐场景", en="Recommended scenarios adopted"),
            sum(a.adopted for a in adoption),
            T(
                zh="上期推荐、本期答卷满足目录中该场景落地条件的场景，"
                "每家企业每个场景计一次；不再触发但无落地证据的另计；"
                f"涉及企业为前后两期均诊断且上期有推荐的 {adoption_panel} 家企业中落地了场景的",
                en="scenarios recommended earlier whose adoption condition in the catalogue "
                "the later answers meet, once per firm and scenario; those no longer triggered "
                "without that evidence are counted apart; the firms are those that adopted, "
                f"among the {adoption_panel} assessed in both periods with earlier "
                "recommendations",
            ),
            adopting,
            proportion=False,
            unit=T(zh="{value} 个场景，涉及 {of} 家企业", en="{value} scenarios in {of} firms"),
            missing=earlier,
        ),
        Figure(
            "adopting_firms",
            T(zh="落地至少一个场景的企业", en="Firms that adopted a scenario"),
            adopting,
            T(
                zh="前后两期均诊断且上期有推荐的企业中，至少落地一个场景的",
                en="firms assessed in both periods with earlier recommendations that adopted "
                "at least one",
            ),
            adoption_panel,
            missing=earlier,
        ),
        Figure(
            "rose",
            T(zh="等级提升企业", en="Firms that rose a level"),
            moves["rose"],
            T(
                zh="同口径：多期均诊断的企业，最近一次等级高于最早一次",
                en="like for like: firms assessed more than once whose latest level is above "
                "their earliest",
            ),
            panel,
            missing=earlier,
        ),
        Figure(
            "fell",
            T(zh="等级回落企业", en="Firms that fell back"),
            moves["fell"],
            T(
                zh="同口径：多期均诊断的企业，最近一次等级低于最早一次",
                en="like for like: firms assessed more than once whose latest level is below "
                "their earliest",
            ),
            panel,
            missing=earlier,
        ),
        Figure(
            "tiers_filled",
            T(zh="示范梯队已入选", en="Demonstration places filled"),
            sum(t.filled for t in tiers),
            T(
                zh=f"{latest.zh}示范梯队入选企业数，分母为设定名额",
                en=f"firms shortlisted in the demonstration tiers of {latest.en}, out of the "
                "places set",
            ),
            sum(t.places for t in tiers),
        ),
    ]


def recognition_figures(honours: Sequence[Candidates]) -> list[Figure]:
    """One figure per recognition (数字化车间, 智能工厂, a level): firms meeting its criteria."""
    figures = []
    for honour in honours:
        figures.append(
            Figure(
                f"recognition.{honour.id}",
                honour.name,
                len(honour.meets),
                T(
                    zh=f"按最近一次诊断达到全部认定条件的企业（另有 {len(honour.within_reach)} "
                    "家接近）",
                    en=f"firms meeting every criterion in their latest assessment "
                    f"({len(honour.within_reach)} more within reach)",
                ),
                honour.judged,
            )
        )
    return figures
