"""The one unit resolver of the build: a name as written in a plan → the unit it means.

A plan's units are bodies of its jurisdiction (docs/model.md, "Units and jurisdictions"). A name is
read as an optional place or level word and the rest: ``浙江省科技厅`` (place 浙江省), ``省科技厅``
(level 省: the plan's province), ``市发改委`` (level 市: the plan's city), ``科技局`` (the plan's own
jurisdiction). Then, in this order:

1. a unit of the Hunan registry (``ontology/units.ttl``) with that name, **only** when it belongs to
   the jurisdiction the name points at (so 省科技厅 in a 浙江 plan never becomes Hunan's);
2. a collective addressee (各县（市、区）, 市直各有关部门, 各有关单位): one group unit of the
   jurisdiction, members not listed;
3. an agency kind of the national vocabulary (``ontology/agencies.ttl``): the unit gets the full name
   of that kind at the jurisdiction's level (省发展改革委 in a 浙江 plan → 浙江省发展和改革委员会);
4. otherwise the name is kept as written, of the plan's jurisdiction (not in any vocabulary), or,
   when the jurisdiction it points at is unknown, unresolved.

>>> from fenjie.graph._places import Gazetteer
>>> g = Gazetteer.load()
>>> r = UnitResolver.load("https://w3id.org/fenjie/id/", jurisdiction=g.by_code["330000"])
>>> u = r.resolve("省发展改革委"); u.label, u.status
('浙江省发展和改革委员会', 'resolved')
>>> r.resolve("省科技厅").label
'浙江省科学技术厅'
>>> r.resolve("各市、县（市、区）人民政府").status
'group'
>>> UnitResolver.load("https://w3id.org/fenjie/id/", jurisdiction=None).resolve("省科技厅").status
'unresolved'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pyoxigraph import Literal, NamedNode

from fenjie.graph._cells import COLLECTIVE
from fenjie.graph._iris import hashed_slug
from fenjie.graph._names import normalize_unit_name
from fenjie.graph._places import NATIONAL, Gazetteer, Level, Place
from fenjie.graph._registry import UnitRegistry, agency_quads
from fenjie.graph._vocab import FJ, SKOS

__all__ = ["AgencyKind", "ResolvedUnit", "UnitResolver", "is_collective"]

_LEVEL_WORDS = {
    "省": Level.PROVINCE,
    "市": Level.CITY,
    "州": Level.CITY,
    "盟": Level.CITY,
    "县": Level.COUNTY,
    "区": Level.COUNTY,
    "旗": Level.COUNTY,
}
_COLLECTIVE_WORDS = re.compile(
    r"^各|有关单位$|有关部门$|相关单位$|相关部门$|成员单位$|牵头单位$|责任单位$|"
    r"[省市县区]直(?!机关工委|机关党工委|机关工作委员会)|"
    r"^有关[县市区]|^相关[县市区]|各部门$"
)
# Names that end like a government body's (局, 委, 办 …): a place's own body when written bare.
_BODY_SUFFIX = re.compile(r"(?:局|委|办|厅|部|委员会|办公室|管委会|中心|工作部)$")
_PARTY_YOUTH = re.compile(r"^团(?P<level>[省市县区])委$")
_NATIONAL_SUFFIX = ("部", "署", "总局", "总署")


def _national_form(kind: AgencyKind, text: str) -> bool:
    """科技部, 审计署, 市场监管总局: names only central bodies have (委组织部 is a local organ)."""
    national = kind.names.get(Level.NATIONAL, "")
    if not national:
        return False
    if normalize_unit_name(text) == normalize_unit_name(national):
        return True
    return (
        text.endswith(_NATIONAL_SUFFIX) and not text.startswith("委") and national[-1] == text[-1]
    )


def is_collective(name: str) -> bool:
    """Whether a written unit names many bodies at once (a group unit).

    >>> [is_collective(n) for n in ("各县（市、区）", "市直各有关部门", "省科技厅", "各有关单位")]
    [True, True, False, True]
    """
    text = name.strip()
    return bool(COLLECTIVE.fullmatch(text) or _COLLECTIVE_WORDS.search(text))


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` keeps characters of ``name`` in their order (发改委 of 发展和改革委员会)."""
    rest = iter(name)
    return all(ch in rest for ch in short)


@dataclass(frozen=True)
class AgencyKind:
    """One kind of body of the national vocabulary, with its names per level."""

    iri: NamedNode
    label: str
    names: dict[Level, str]  # level → template with {place}, or the central body's name
    full_forms: frozenset[str]
    short_forms: frozenset[str]

    def name_at(self, place: Place, place_name: str, written_rest: str) -> str:
        """The body's full name in ``place`` (named ``place_name``: 武汉市蔡甸区); the written form
        behind the place when the vocabulary has no standard name for this kind, or when a formal
        name was written that differs from it."""
        level = Level.COUNTY if place.level is Level.ZONE else place.level
        template = self.names.get(level)
        if level is Level.NATIONAL:
            return template or written_rest
        if template is None:
            return place_name + written_rest
        full = template.replace("{place}", place_name)
        short = normalize_unit_name(written_rest)
        if short in self.short_forms and not _abbreviates(short, full):
            # 文广旅体局 abbreviates 文化广电旅游体育局, not the level's 文化和旅游局: the one formal
            # name it abbreviates, when there is one
            meant = [f for f in self.full_forms if _abbreviates(short, f)]
            if len(meant) == 1:
                return place_name + meant[0]
        if short in self.short_forms or full.endswith(written_rest):
            return full
        return place_name + written_rest


@dataclass(frozen=True)
class ResolvedUnit:
    """What a written name means: ``status`` is registered, resolved, group, listed (of the plan's
    jurisdiction, in no vocabulary) or unresolved (jurisdiction unknown)."""

    iri: NamedNode
    label: str  # full name where known, else as written
    written: str
    status: str
    jurisdiction: Place | None = None
    kind: AgencyKind | None = None
    member_levels: tuple[Level, ...] = ()  # groups: the levels of their members
    member_kind: str = ""  # groups: "governments" or "departments"; "" when unknown


@dataclass
class _KindFacts:
    """What agencies.ttl says of one kind, gathered quad by quad."""

    names: dict[Level, str] = field(default_factory=dict)
    full: set[str] = field(default_factory=set)
    short: set[str] = field(default_factory=set)
    label: str = ""


def _load_kinds(base: str) -> dict[str, AgencyKind]:
    """Agency kinds by every normalised form (full and short) they are written in."""
    props = {
        FJ.nationalName: Level.NATIONAL,
        FJ.provinceName: Level.PROVINCE,
        FJ.cityName: Level.CITY,
        FJ.countyName: Level.COUNTY,
    }
    raw: dict[NamedNode, _KindFacts] = {}
    for q in agency_quads(base):
        if not isinstance(q.subject, NamedNode) or not isinstance(q.object, Literal):
            continue  # agencies.ttl: every kind is an IRI, every name a literal
        facts = raw.setdefault(q.subject, _KindFacts())
        value = q.object.value
        if q.predicate in props:
            facts.names[props[q.predicate]] = value
        elif q.predicate == FJ.fullForm:
            facts.full.add(normalize_unit_name(value))
        elif q.predicate == SKOS.altLabel:
            facts.short.add(normalize_unit_name(value))
        elif q.predicate == SKOS.prefLabel:
            facts.label = value
    kinds: dict[str, AgencyKind] = {}
    for iri, f in raw.items():
        kind = AgencyKind(iri, f.label, dict(f.names), frozenset(f.full), frozenset(f.short))
        for form in kind.full_forms | kind.short_forms:
            kinds[form] = kind
        national = kind.names.get(Level.NATIONAL)
        if national:
            kinds.setdefault(normalize_unit_name(national), kind)
    return kinds


@lru_cache(maxsize=8)
def _kinds(base: str) -> dict[str, AgencyKind]:
    return _load_kinds(base)


@dataclass
class UnitResolver:
    """Resolve the units of one plan of jurisdiction ``jurisdiction`` (None: unknown)."""

    base: str
    jurisdiction: Place | None
    registry: UnitRegistry
    gazetteer: Gazetteer
    kinds: dict[str, AgencyKind]
    scope: str = ""  # slug of the plan, for units of unknown jurisdiction
    cache: dict[str, ResolvedUnit] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        base: str,
        *,
        jurisdiction: Place | None,
        registry: UnitRegistry | None = None,
        scope: str = "",
    ) -> UnitResolver:
        return cls(
            base,
            jurisdiction,
            registry or UnitRegistry.load(base),
            Gazetteer.load(),
            _kinds(base),
            scope,
        )

    # -- reading a name ---------------------------------------------------------------------
    def _kind(self, rest: str) -> AgencyKind | None:
        return self.kinds.get(normalize_unit_name(rest)) if rest else None

    def _at_level(self, level: Level) -> Place | None:
        """The plan's own jurisdiction or the enclosing one at ``level`` (省 in a city plan)."""
        here = self.jurisdiction
        if here is None:
            return None
        if here.level is Level.ZONE and level is Level.COUNTY:
            return here
        return self.gazetteer.ancestor_at(here, level)

    def _read(self, name: str) -> tuple[Place | None, str, str]:
        """(the place the name points at, the rest of the name, what was written before the rest:
        "place" (浙江省科技厅), "level" (省科技厅) or "")."""
        text = name.removeprefix("中共")
        if m := _PARTY_YOUTH.match(text):
            return self._at_level(_LEVEL_WORDS[m["level"]]), "团委", "level"
        province = (
            self.gazetteer.ancestor_at(self.jurisdiction, Level.PROVINCE)
            if self.jurisdiction and self.jurisdiction.code
            else None
        )
        hit = (self.gazetteer.at_start(text, inside=province) if province else None) or (
            self.gazetteer.at_start(text)
        )
        if hit is not None and len(text) > hit[1]:
            place, rest = hit[0], text[hit[1] :]
            while (deeper := self.gazetteer.at_start(rest, inside=place)) and len(rest) > deeper[1]:
                place, rest = deeper[0], rest[deeper[1] :]
            return place, rest, "place"
        kind = self._kind(text)
        if text.startswith(("国家", "国务院")) or (kind is not None and _national_form(kind, text)):
            return NATIONAL, text, ""
        if kind is not None:  # 市场监管局: 市 here is no level word: 市 here is no level word
            return self.jurisdiction, text, ""
        if text[:1] in _LEVEL_WORDS and len(text) > 1:
            return self._at_level(_LEVEL_WORDS[text[0]]), text[1:], "level"
        return self.jurisdiction, text, ""

    # -- resolving ------------------------------------------------------------------------
    def resolve(self, written: str) -> ResolvedUnit:
        key = normalize_unit_name(written)
        if key not in self.cache:
            self.cache[key] = self._resolve(written)
        return self.cache[key]

    def _registered(self, names: list[str], place: Place | None) -> NamedNode | None:
        """A registry unit with one of these names whose jurisdiction is ``place``."""
        if place is None:
            return None
        for name in names:
            node = self.registry.lookup(name)
            if node is not None and self.registry.jurisdiction.get(node) == place.slug:
                return node
        return None

    def _resolve(self, written: str) -> ResolvedUnit:
        place, rest, before = self._read(written)
        place_name = self.gazetteer.full_name(place) if place else ""
        kind = self._kind(rest)
        full = kind.name_at(place, place_name, rest) if kind and place else None
        candidates = [written] + ([full] if full else []) + ([place.name + rest] if place else [])
        node = self._registered(candidates, place)
        if node is not None:
            return ResolvedUnit(node, full or written, written, "registered", place, kind)
        if is_collective(written):
            return self._group(written)
        if place is None:
            iri = NamedNode(
                f"{self.base}unit/unresolved/{self.scope or 'x'}/{hashed_slug(written)}"
            )
            return ResolvedUnit(iri, written, written, "unresolved")
        if kind is not None and full is not None:
            iri = NamedNode(f"{self.base}unit/{hashed_slug(full, max_syllables=16)}")
            return ResolvedUnit(iri, full, written, "resolved", place, kind)
        # In no vocabulary: 市建设局 in a 厦门 plan is 厦门市建设局 (the level word names the place),
        # and so is a body's name without one (改革办 in a zone's plan); other names stay as written.
        label = written
        if before == "level" or (not before and _BODY_SUFFIX.search(rest)):
            label = place_name + rest
        iri = NamedNode(f"{self.base}unit/{place.slug}/{hashed_slug(label)}")
        return ResolvedUnit(iri, label, written, "listed", place)

    def _group(self, written: str) -> ResolvedUnit:
        """A collective addressee: members are the governments of the levels it names, or the
        departments of the jurisdiction (市直各部门), or unknown (各有关单位)."""
        words = COLLECTIVE.fullmatch(written)
        levels: list[Level] = []
        kind = ""
        if words:
            body = re.sub(
                r"(?:人民政府|政府|党委|党委和政府|管委会|办事处|有关单位|有关部门|各部门)$",
                "",
                written,
            )
            for ch, level in _LEVEL_WORDS.items():
                if ch in body[1:] and level not in levels:
                    levels.append(level)
            if "乡" in body or "镇" in body or "街道" in body:
                levels.append(Level.TOWNSHIP)
            kind = "governments" if not written.endswith(("有关单位", "有关部门", "各部门")) else ""
        if re.search(r"[省市县区]直|各部门|有关部门$", written) and not levels:
            kind = "departments"
        place = self.jurisdiction
        # members lie below the group's place: 各区县（市） in a city plan are its counties
        if place is not None:
            order = list(Level)
            levels = [lv for lv in levels if order.index(lv) > order.index(place.level)]
        m = re.match(r"^([省市县区])直", written)
        if m:
            place = self._at_level(_LEVEL_WORDS[m[1]])
        scope = place.slug if place is not None else f"unresolved/{self.scope or 'x'}"
        iri = NamedNode(f"{self.base}unit/{scope}/group/{hashed_slug(written)}")
        return ResolvedUnit(iri, written, written, "group", place, None, tuple(levels), kind)
