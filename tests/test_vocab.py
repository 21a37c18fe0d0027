"""The closed fj: vocabulary (fenjie.vocab) equals the terms ontology/fenjie.ttl declares.

After changing the ontology, ``FENJIE_UPDATE_VOCAB=1 python -m pytest tests/test_vocab.py``
rewrites the generated list in fenjie/vocab.py.
"""

from __future__ import annotations

import ast
import keyword
import os
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

import fenjie.vocab
from fenjie.vocab import FJ, FJ_NS
from tests.python_sources import docstrings

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["fenjie", "graph", "queries", "viz"]
BEGIN = "    # generated from ontology/fenjie.ttl: begin\n"
END = "    # generated from ontology/fenjie.ttl: end\n"


def declared_terms() -> list[str]:
    """Local names of the fj: IRIs the ontology gives a type (classes, properties, individuals)."""
    text = (files("fenjie.ontology") / "fenjie.ttl").read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    return sorted(
        {
            str(s).removeprefix(FJ_NS)
            for s in graph.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(FJ_NS)
        }
    )


def generated_block(terms: list[str]) -> str:
    return BEGIN + "".join(f'    {t} = _term("{t}")\n' for t in terms) + END


def test_module_lists_exactly_the_ontology_terms() -> None:
    terms = declared_terms()
    assert len(terms) > 100
    assert all(t.isidentifier() and not keyword.iskeyword(t) for t in terms)
    path = Path(fenjie.vocab.__file__)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    expected = generated_block(terms)
    if text[start:end] != expected and os.environ.get("FENJIE_UPDATE_VOCAB"):
        path.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        pytest.skip("fenjie/vocab.py rewritten from the ontology")
    assert text[start:end] == expected, (
        "run FENJIE_UPDATE_VOCAB=1 python -m pytest tests/test_vocab.py"
    )
    assert sorted(t.value.removeprefix(FJ_NS) for t in FJ) == terms


def test_unknown_terms_are_errors() -> None:
    with pytest.raises(AttributeError, match="fj:lead is not a term"):
        _ = FJ.lead
    with pytest.raises(KeyError, match="fj:Lead is not a term"):
        _ = FJ["Lead"]
    with pytest.raises(AttributeError, match="closed"):
        FJ.newTerm = FJ.leads  # type: ignore[misc]
    assert FJ.leads in FJ and "leads" in FJ and "lead" not in FJ
    assert FJ["CoResponsibleRole"].value == FJ_NS + "CoResponsibleRole"


def namespace_spelled_out(source: str, name: str) -> list[str]:
    """Where ``source`` (docstrings and their examples aside) can mint an fj: term the ontology
    does not declare: a string holding the namespace IRI, ``FJ_NS + text``, or ``FJ_NS`` imported
    under another name."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    return [
        f"{name}:{node.lineno}"
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and FJ_NS in node.value
            and id(node) not in skip
        )
        or (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and any(
                isinstance(side, ast.Name) and side.id == "FJ_NS"
                for side in (node.left, node.right)
            )
        )
        or (
            isinstance(node, ast.alias)
            and node.name == "FJ_NS"
            and node.asname not in (None, "FJ_NS")
        )
    ]


def test_only_the_vocabulary_module_spells_out_the_namespace() -> None:
    found = []
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel != "fenjie/vocab.py":
                found += namespace_spelled_out(path.read_text(encoding="utf-8"), rel)
    assert found == [], "use fenjie.vocab.FJ (FJ.leads, FJ[name]) or FJ_NS"


def test_the_namespace_check_finds_a_spelled_out_term() -> None:
    source = (
        '"""Doc: <https://w3id.org/fenjie/def#leads>."""\n'
        'LEADS = "https://w3id.org/fenjie/def#leads"\n'
        'def f(n):\n    return f"https://w3id.org/fenjie/def#{n}"\n'
        "from fenjie.vocab import FJ_NS as FJ\n"
        'WORK = FJ_NS + "workItem"\n'
        "PREFIXES = {'fj': FJ_NS}\n"
    )
    assert sorted(namespace_spelled_out(source, "m.py")) == ["m.py:2", "m.py:4", "m.py:5", "m.py:6"]
