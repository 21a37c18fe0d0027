"""Places that issue plans: the 31 provincial-level units of mainland China, their cities and counties.

The gazetteer is data (``ontology/places.tsv``: code, name, level, parent, short name, 文号 prefix);
this module loads it and finds place names in text.

>>> g = Gazetteer.load()
>>> g.by_code["330000"].name, g.by_code["330000"].level.value
('浙江省', 'province')
>>> [p.name for p in g.chain(g.by_code["430121"])]
['长沙县', '长沙市', '湖南省']
>>> g.at_start("浙江省发展改革委")[0].name, g.at_start("杭州市科技局")[1]
('浙江省', 3)
>>> g.full_name(g.by_code["420114"]), g.full_name(g.by_code["330522"])
('武汉市蔡甸区', '长兴县')
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from fenjie.graph._iris import hashed_slug, slugify

__all__ = ["NATIONAL", "Gazetteer", "Level", "Place", "place_slug"]


class Level(enum.Enum):
    """The level of a jurisdiction; the value is used in IRIs and JSON, the ontology term is
    ``fj:{Name}Level``."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    ZONE = "zone"
    TOWNSHIP = "township"  # only as the level of a group's members (各乡镇, 各街道)

    @property
    def term(self) -> str:
        """Local name of the level in the ontology: ``ProvinceLevel``."""
        return self.value.capitalize() + "Level"

    @property
    def zh(self) -> str:
        return {
            "national": "国家",
            "province": "省",
            "city": "市",
            "county": "县区",
            "zone": "开发区",
            "township": "乡镇街道",
        }[self.value]


@dataclass(frozen=True)
class Place:
    """One jurisdiction: ``code`` is the national division code, "" for places not in the list."""

    code: str
    name: str
    level: Level
    parent: str = ""  # code of the enclosing place
    short: str = ""  # 浙江 for 浙江省
    docprefix: str = ""  # 浙 for 浙江省 (浙政办发)

    @property
    def slug(self) -> str:
        return place_slug(self)


NATIONAL = Place("100000", "中华人民共和国", Level.NATIONAL, short="国家")


@lru_cache(maxsize=8192)  # pinyin is slow, and every unit of a place asks for its slug
def place_slug(place: Place) -> str:
    """The ASCII local name of a place's IRI: code plus pinyin, or a hashed slug off the list.

    >>> place_slug(Place("330000", "浙江省", Level.PROVINCE))
    '330000-zhe-jiang-sheng'
    >>> place_slug(Place("", "青山县", Level.COUNTY))
    'x-qing-shan-xian-50f5f4'
    """
    if place.code:
        return f"{place.code}-{slugify(place.name)}"
    return "x-" + hashed_slug(place.name)


def _short_forms(place: Place) -> list[str]:
    """Names a place also goes by: 浙江 (province), 杭州 (a city without 市). Names two places
    share are not used alone."""
    forms = [place.short] if place.short else []
    if place.level is Level.CITY and place.name.endswith("市") and len(place.name) >= 3:
        forms.append(place.name[:-1])
    return forms


@dataclass
class Gazetteer:
    """Places by code and by name; a name may fit several places (朝阳区)."""

    by_code: dict[str, Place] = field(default_factory=dict)
    by_name: dict[str, list[Place]] = field(default_factory=dict)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> Gazetteer:
        gazetteer = cls()
        text = (files("fenjie.ontology") / "places.tsv").read_text("utf-8")
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        for line in lines[1:]:  # the first is the header
            code, name, level, parent, short, docprefix = line.split("\t")
            place = Place(code, name, Level(level), parent, short, docprefix)
            gazetteer.by_code[code] = place
        for place in gazetteer.by_code.values():
            for form in [place.name, *_short_forms(place)]:
                gazetteer.by_name.setdefault(form, []).append(place)
        gazetteer.by_code[NATIONAL.code] = NATIONAL
        return gazetteer

    def parent(self, place: Place) -> Place | None:
        return self.by_code.get(place.parent) if place.parent else None

    def chain(self, place: Place) -> list[Place]:
        """The place and every place enclosing it, innermost first."""
        out = [place]
        while (up := self.parent(out[-1])) is not None:
            out.append(up)
        return out

    def full_name(self, place: Place) -> str:
        """The name bodies of the place carry: a city's district with its city (武汉市蔡甸区, as in
        武汉市蔡甸区发展和改革局), any other place by its own name (长兴县, 浙江省)."""
        parent = self.parent(place)
        if (
            place.level is Level.COUNTY
            and place.name.endswith("区")
            and parent is not None
            and parent.level is Level.CITY
        ):
            return parent.name + place.name
        return place.name

    def within(self, place: Place, outer: Place) -> bool:
        return outer in self.chain(place)

    def ancestor_at(self, place: Place, level: Level) -> Place | None:
        """The place itself or the enclosing place at ``level``."""
        return next((p for p in self.chain(place) if p.level is level), None)

    def named(self, name: str, *, inside: Place | None = None) -> Place | None:
        """The one place with this name (inside ``inside`` when given), None if none or several."""
        found = self.by_name.get(name, [])
        if inside is not None:
            found = [p for p in found if self.within(p, inside)]
        return found[0] if len(found) == 1 else None

    def at_start(self, text: str, *, inside: Place | None = None) -> tuple[Place, int] | None:
        """The place whose name (full or short) begins ``text``, longest first, and its length.

        A short name counts only when a full name does not continue it (湖南 in 湖南省 is 湖南省).
        """
        for length in range(min(len(text), 12), 1, -1):
            place = self.named(text[:length], inside=inside)
            if place is not None:
                return place, length
        return None
