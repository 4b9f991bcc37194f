"""The controlled vocabularies: the built-in lists, which the Lists sheet may extend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..labels import Label
from ..quantities import qualifier_aliases, unit_aliases


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A list of allowed values, named as the Lists sheet's column is."""

    name: str
    values: tuple[str, ...]
    #: What people type instead of a value ('AI'), for "did you mean" hints.
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: A value's name per language, where it differs from the value itself.
    labels: Mapping[str, Label] = field(default_factory=dict)
    #: A Lists sheet without this column is told so (built-in list used); else silent.
    expected: bool = True

    def label(self, value: str) -> Label:
        return self.labels.get(value) or Label(value)


VOCABULARY_LIST: tuple[Vocabulary, ...] = (
    Vocabulary("Meeting kinds", ("city", "corridor", "district", "institution", "forum")),
    Vocabulary("Agreement kinds", ("agreement", "memorandum", "strategic partnership", "project",
                                   "platform", "declaration")),
    Vocabulary("Focus areas", (
        "artificial intelligence", "integrated circuits", "biomedicine", "digital economy",
        "smart city", "fintech", "green technology", "advanced manufacturing", "new materials",
        "new energy", "quantum technology", "synthetic biology", "infectious diseases",
        "climate change", "space technology", "scientific instruments", "robotics",
        "information technology", "talent", "technology transfer", "think tank",
        "trusted transactions", "international cooperation", "fundamental research",
        "industrial parks", "finance for innovation",
    ), aliases={
        "ai": "artificial intelligence", "biotech": "biomedicine", "biopharma": "biomedicine",
        "biopharmaceuticals": "biomedicine", "chips": "integrated circuits",
        "semiconductors": "integrated circuits", "ic": "integrated circuits",
        "smart cities": "smart city", "cutting-edge manufacturing": "advanced manufacturing",
        "high-end equipment": "advanced manufacturing", "talent cultivation": "talent",
        "quantum": "quantum technology", "materials": "new materials",
    }),
    Vocabulary("Metrics", (
        "Cooperation projects signed",
        "Scientists co-authoring papers",
        "Co-authored papers",
        "Technology contract value",
        "Technology contract value annual growth",
        "Member cities",
        "Years of corridor construction",
        "Cities seeking to join",
        "Innovation enclaves in Songjiang",
        "Share of national GDP",
        "Share of national high-tech enterprises",
        "Share of STAR Market listed companies",
        "Technical needs solicited",
        "Joint research projects with substantive progress",
        "Joint research projects launched",
        "Industrial alliances",
        "Industrial cooperation demonstration parks",
        "Industry-city integration demonstration zones",
        "Cross-city services online",
        "Projects invested by transformation fund",
        "Financial support policies",
        "Financial service alliance members",
        "Credit financing",
        "Major YRD cities reachable from Songjiang hub",
    )),
    Vocabulary("Units", ("count", "CNY", "USD", "percent", "ratio", "years"),
               aliases=unit_aliases()),
    Vocabulary("Qualifiers", ("exact", "about", "more than", "at least", "at most", "less than"),
               aliases=qualifier_aliases()),
    Vocabulary("Statuses", ("planned", "signed", "launched", "in progress", "completed",
                            "ended")),
    Vocabulary("Sides", ("Shanghai", "counterpart"), expected=False),
    Vocabulary("Action statuses", ("open", "in progress", "done", "dropped"), expected=False),
)

#: Every vocabulary by name.
LISTS: dict[str, Vocabulary] = {v.name: v for v in VOCABULARY_LIST}
#: The built-in values of every vocabulary, by name.
VOCABULARIES: dict[str, tuple[str, ...]] = {v.name: v.values for v in VOCABULARY_LIST}
#: Common ways of writing a focus area, for "did you mean" suggestions.
FOCUS_ALIASES = LISTS["Focus areas"].aliases
