"""The one Role: its values, Chinese terms, ontology individuals, spellings and order, and the web
page's copy of the names (the page is static JavaScript, so a test holds it to the enum)."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from fenjie.errors import ParameterError
from fenjie.roles import Role
from fenjie.vocab import FJ

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_values_terms_and_order() -> None:
    assert [r.value for r in Role] == ["lead", "responsible", "supporting"]
    assert [r.zh for r in Role] == ["牵头", "共同负责", "配合"]
    assert sorted(Role, key=lambda r: -r.rank) == [Role.SUPPORTING, Role.CO_RESPONSIBLE, Role.LEAD]
    assert {r.term for r in Role} == {FJ.LeadRole, FJ.CoResponsibleRole, FJ.SupportingRole}


def test_every_role_individual_of_the_ontology_is_a_role() -> None:
    data = (files("fenjie.ontology") / "fenjie.ttl").read_bytes()
    individuals = {
        q.subject
        for q in parse(data, format=RdfFormat.TURTLE)
        if q.predicate == RDF_TYPE and q.object == FJ.Role
    }
    assert individuals == {r.term for r in Role}
    assert all(Role.from_term(term).term == term for term in individuals)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("lead", Role.LEAD),
        (" 牵头 ", Role.LEAD),
        ("co-responsible", Role.CO_RESPONSIBLE),
        ("Responsible", Role.CO_RESPONSIBLE),
        ("共同负责", Role.CO_RESPONSIBLE),
        ("配合", Role.SUPPORTING),
        ("参与", Role.SUPPORTING),
    ],
)
def test_spellings(text: str, role: Role) -> None:
    assert Role.parse(text) is role


def test_an_unknown_role_names_the_accepted_ones() -> None:
    with pytest.raises(ParameterError, match="牵头/共同负责/配合") as caught:
        Role.parse("boss")
    assert caught.value.to_dict()["error"]["parameter"] == "role"


def test_the_page_names_roles_as_the_enum_does() -> None:
    script = (files("fenjie.server") / "static" / "app.js").read_text(encoding="utf-8")
    names = re.search(r"^const ROLE_NAMES = (\{.*\});$", script, re.MULTILINE)
    order = re.search(r"^const ROLE_ORDER = (\[.*\]);$", script, re.MULTILINE)
    assert names and order
    # the object literal quotes only the keys that need it: quote the others to read it as JSON
    page_names = json.loads(re.sub(r"([{,]\s*)([a-z]+):", r'\1"\2":', names[1]))
    page_order = json.loads(order[1])
    for role in Role:
        assert page_names[role.value] == role.zh
    # any other spelling the page knows is one Role.parse accepts, with that role's term
    for spelling, zh in page_names.items():
        assert Role.parse(spelling).zh == zh
    ranked = [Role.parse(spelling).rank for spelling in page_order]
    assert ranked == sorted(ranked)
