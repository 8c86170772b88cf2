"""The industries a park's firms belong to, with their names in both languages."""

from __future__ import annotations

from .common import TextValue

T = TextValue
INDUSTRIES: dict[str, TextValue] = {
    "metal_processing": T(zh="金属加工", en="Metal processing"),
    "electronic_information": T(zh="电子信息", en="Electronic information"),
    "nev_parts": T(zh="新能源汽车零部件", en="NEV parts"),
    "energy_storage": T(zh="储能", en="Energy storage"),
    "optoelectronics": T(zh="光电", en="Optoelectronics"),
    "machinery": T(zh="通用机械", en="General machinery"),
    "other": T(zh="其他", en="Other"),
}
