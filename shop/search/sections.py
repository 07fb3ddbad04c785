"""Other kinds of results shown beside products on /search/ (the blog registers its articles).

A section is found by one function of the query, which must run a fixed number of queries
(one, ideally) and return at most `limit` results; its template renders them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchSection:
    key: str
    title: str
    template: str
    find: Callable[[str, int], list]
    limit: int = 5


_sections: dict[str, SearchSection] = {}


def register(section: SearchSection) -> None:
    """Call from an AppConfig.ready(); registering the same key again replaces it."""
    _sections[section.key] = section


def results_for(query: str) -> list[tuple[SearchSection, list]]:
    found = []
    for section in _sections.values():
        results = section.find(query, section.limit)
        if results:
            found.append((section, results))
    return found
