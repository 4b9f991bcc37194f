"""How party names are compared: through the entity list, so that 'SJTU', '上海交通大学' and
'Shanghai Jiao Tong University' are one party."""

from __future__ import annotations

from ..facts import EntityIndex, name_key


class PartyKeys:
    """A name -> the entity it stands for (its id), or the name itself made comparable."""

    def __init__(self, entities: EntityIndex):
        self.entities = entities
        self._keys: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        found = self._keys.get(name)
        if found is None:
            entity = self.entities.resolve(name)
            found = entity.id if entity is not None else name_key(name)
            self._keys[name] = found
        return found
