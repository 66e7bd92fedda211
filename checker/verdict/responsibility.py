"""Who answers for a unit's findings (一岗双责): the chain of responsible persons a finding lists, from
the registry's persons and units."""

from __future__ import annotations

from typing import Any

from checker.data.records import DataSet
from checker.text.vocabulary import ROLE_LABEL


class Responsibility:
    """Who answers for a unit: its secretary (第一责任人), the leaders whose `supervises` covers it
    (分管领导, 一岗双责) and the discipline officers of the unit or, failing those, of the nearest
    parent (监督责任). Indexed once per run."""

    def __init__(self, data: DataSet):
        self.units = {r.id: r.record for r in data.records if r.type == "unit"}
        self.secretaries: dict[str, list[Any]] = {}
        self.officers: dict[str, list[Any]] = {}
        self.supervisors: dict[str, list[Any]] = {}
        for loaded in data.records:
            if loaded.type != "person":
                continue
            person = loaded.record
            if "secretary" in person.roles:
                self.secretaries.setdefault(person.unit, []).append(person)
            if "discipline" in person.roles:
                self.officers.setdefault(person.unit, []).append(person)
            for unit in person.supervises:
                self.supervisors.setdefault(unit, []).append(person)
        self._chains: dict[str, list[dict[str, str]]] = {}

    def chain(self, unit_id: str) -> list[dict[str, str]]:
        if unit_id not in self._chains:
            self._chains[unit_id] = self._build(unit_id)
        return self._chains[unit_id]

    def _build(self, unit_id: str) -> list[dict[str, str]]:
        chain: list[dict[str, str]] = []
        unit, officers = self.units.get(unit_id), []
        while unit is not None and not officers:
            officers = self.officers.get(unit.id, [])
            unit = self.units.get(unit.parent or "")
        for role, persons in (("first_responsible", self.secretaries.get(unit_id, [])),
                              ("supervising_leader", self.supervisors.get(unit_id, [])),
                              ("discipline_officer", officers)):
            for person in persons:
                if all(not (c["person"] == person.id and c["role"] == role) for c in chain):
                    chain.append({"person": person.id, "name": person.name, "post": person.post, "role": role,
                                  "role_label": ROLE_LABEL["zh"][role]})
        return chain
