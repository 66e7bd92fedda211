"""What every record model is made of: an enum field that also reads its Chinese label, and the
two base classes (a record has an id; an activity also belongs to a unit)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from checker.data.fields import Id
from checker.text.labels import ENUM_ZH

# Enum values and their Chinese labels (also accepted as input) live with the English ones in the
# words catalogue.
ENUMS: dict[str, dict[str, str]] = ENUM_ZH


def _enum_normaliser(values: dict[str, str]):
    by_label = {label: key for key, label in values.items()}

    def normalise(raw: Any) -> Any:
        if isinstance(raw, str):
            text = raw.strip()
            return by_label.get(text, text.lower() if text.lower() in values else text)
        return raw

    return normalise


def enum_field(name: str):
    """The type of a field holding one value of the enum `name` (its code or its Chinese label)."""
    values = ENUMS[name]
    return Annotated[Literal[tuple(values)], BeforeValidator(_enum_normaliser(values))]  # type: ignore[valid-type]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    id: Id = Field(validation_alias=AliasChoices("id", "编号"), description="编号", min_length=1)


class Activity(Record):
    unit: Id = Field(validation_alias=AliasChoices("unit", "单位"), description="单位")
