"""The three roles a unit has on a work item, in one place: name, Chinese term, ontology term.

The builder writes :attr:`Role.term`, the queries answer :attr:`Role.value`, the API, CLI and views
accept any of :meth:`Role.parse`'s spellings and show :attr:`Role.zh`.

- ``Role.LEAD``: ``lead``, 牵头, ``fj:LeadRole``
- ``Role.CO_RESPONSIBLE``: ``responsible``, 共同负责, ``fj:CoResponsibleRole``
- ``Role.SUPPORTING``: ``supporting``, 配合, ``fj:SupportingRole``

``responsible`` in answers means co-responsible: responsible and not the lead (the lead is
responsible too, see docs/model.md).

>>> Role.parse("共同负责") is Role.CO_RESPONSIBLE
True
>>> [r.zh for r in Role]
['牵头', '共同负责', '配合']
>>> Role.from_term("https://w3id.org/fenjie/def#SupportingRole").value
'supporting'
"""

from __future__ import annotations

from enum import Enum

from pyoxigraph import NamedNode

from fenjie.errors import ParameterError
from fenjie.vocab import FJ

__all__ = ["Role"]


class Role(str, Enum):
    """A unit's role on a work item."""

    LEAD = "lead"
    CO_RESPONSIBLE = "responsible"
    SUPPORTING = "supporting"

    @property
    def zh(self) -> str:
        """The Chinese term shown to users."""
        return _ZH[self]

    @property
    def rank(self) -> int:
        """Order by weight of duty: the lead first (0), then co-responsible, then supporting.

        >>> sorted(["supporting", "lead"], key=lambda v: Role(v).rank)
        ['lead', 'supporting']
        """
        return _RANK[self]

    @property
    def term(self) -> NamedNode:
        """The ontology individual (``fj:LeadRole`` …) the graph holds."""
        return _TERMS[self]

    @classmethod
    def from_term(cls, iri: str | NamedNode) -> Role:
        """The role of an ontology individual (IRI or term)."""
        value = iri.value if isinstance(iri, NamedNode) else iri
        for role, term in _TERMS.items():
            if term.value == value:
                return role
        raise ValueError(f"not a role of the fenjie ontology: {value}")

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from any accepted spelling (``lead``, ``co-responsible``, ``配合`` …), else
        :class:`~fenjie.errors.ParameterError` naming the accepted values."""
        role = _SPELLINGS.get(text.strip().lower())
        if role is None:
            raise ParameterError(
                f"角色应为 {'/'.join(r.zh for r in cls)} 之一，实为 {text!r} "
                f"(role must be one of {', '.join(r.value for r in cls)})",
                parameter="role",
            )
        return role

    def __str__(self) -> str:
        return self.value


_RANK = {role: n for n, role in enumerate(Role)}
_ZH = {Role.LEAD: "牵头", Role.CO_RESPONSIBLE: "共同负责", Role.SUPPORTING: "配合"}
_TERMS = {
    Role.LEAD: FJ.LeadRole,
    Role.CO_RESPONSIBLE: FJ.CoResponsibleRole,
    Role.SUPPORTING: FJ.SupportingRole,
}
_SPELLINGS: dict[str, Role] = {
    **{r.value: r for r in Role},
    **{r.zh: r for r in Role},
    "co-responsible": Role.CO_RESPONSIBLE,
    "coresponsible": Role.CO_RESPONSIBLE,
    "co": Role.CO_RESPONSIBLE,
    "负责": Role.CO_RESPONSIBLE,
    "责任": Role.CO_RESPONSIBLE,
    "support": Role.SUPPORTING,
    "参与": Role.SUPPORTING,
    "配合/参与": Role.SUPPORTING,
}
