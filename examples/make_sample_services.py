"""Generate the sample park's services registers (服务台账), one CSV per quarter.

    python examples/make_sample_services.py [--out examples/sample_park]

Every firm assessed in a quarter had its free diagnosis on the day of the assessment. Firms willing
to try with support were given a software package, a few firms a subsidy, most firms a place at
the park's training, and firms that asked for it an on-site service; two registered firms that
were not assessed had an on-site visit. Randomness is seeded by the firm and the quarter, so a
re-run writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import yaml

from assessment.files.atomic import write_atomic

ROOT = Path(__file__).resolve().parent.parent
SEED = "services-20260401"
PROVIDERS = ("苏州数智工业服务有限公司", "吴淞江工业互联网服务中心", "江苏云启软件有限公司")
HEADER = ("统一社会信用代码", "日期", "服务类型", "服务商", "金额（万元）", "备注")
TRAINING_DAY = {"2026Q2": date(2026, 5, 20), "2026Q3": date(2026, 8, 19)}
QUARTER_END = {"2026Q2": date(2026, 6, 30), "2026Q3": date(2026, 9, 30)}
WILLING = {"if_subsidised", "planned", "in_progress"}


def _lines(period: str, folder: Path, register: list[str]) -> list[tuple[str, ...]]:
    lines: list[tuple[str, ...]] = []
    assessed = set()
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        code = data["firm"]["credit_code"]
        assessed.add(code)
        rng = random.Random(f"{SEED}-{period}-{code}")  # noqa: S311
        on = data["assessed_on"]
        provider = PROVIDERS[rng.randrange(len(PROVIDERS))]
        lines.append((code, on.isoformat(), "免费诊断", provider, "0.8", "园区购买诊断服务"))
        answer = data["answers"].get("transform_willingness")
        willing = (answer.get("value") if isinstance(answer, dict) else answer) in WILLING
        later = min(on + timedelta(days=rng.randint(10, 40)), QUARTER_END[period])
        if willing and rng.random() < 0.7:
            amount = rng.choice(("1.2", "1.5", "2.0", "2.8"))
            lines.append(
                (code, later.isoformat(), "软件包", PROVIDERS[2], amount, "云 ERP 一年使用权")
            )
        if willing and rng.random() < 0.25:
            amount = rng.choice(("5", "8", "10", "15"))
            lines.append((code, later.isoformat(), "补贴", "园区经发局", amount, "数字化改造奖补"))
        if rng.random() < 0.6:
            lines.append(
                (code, TRAINING_DAY[period].isoformat(), "培训", PROVIDERS[1], "", "数字化转型宣讲")
            )
        if rng.random() < 0.2:
            lines.append((code, later.isoformat(), "上门服务", provider, "0.5", "扫码报工上线辅导"))
    others = sorted(c for c in register if c not in assessed)
    for code in others[:2]:
        lines.append(
            (
                code,
                TRAINING_DAY[period].isoformat(),
                "上门服务",
                PROVIDERS[0],
                "",
                "走访，约定下季度诊断",
            )
        )
    return sorted(lines, key=lambda line: (line[1], line[0], line[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "sample_park")
    args = parser.parse_args()
    with (args.out / "firms.csv").open(encoding="utf-8-sig") as handle:
        register = [row["credit_code"] for row in csv.DictReader(handle)]
    for period in ("2026Q2", "2026Q3"):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(_lines(period, args.out / period, register))
        write_atomic(args.out / f"services-{period}.csv", buffer.getvalue().encode("utf-8"))
        print(f"wrote {args.out / f'services-{period}.csv'}")


if __name__ == "__main__":
    main()
