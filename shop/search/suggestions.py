"""What the search box suggests as a shopper types: products, articles and franchises whose names
come close to the text, typos included ("enamle pin", "pinc hair", "netorae").

Each kind of thing is a `Source` in `SOURCES`: one query, the closest few first. PostgreSQL
matches with pg_trgm's word similarity (`<%`: every word of the query close to some stretch of
the name, so "pinc hair" finds a long title) through the GIN trigram indexes of catalogue
migration 0047 and blog migration 0003; the threshold is the connection's
`pg_trgm.word_similarity_threshold` (shop/settings.py). SQLite has no trigrams: a source reads up
to `SQLITE_CANDIDATES` rows holding some word's first three letters and ranks them with difflib
(`closeness()`), so a typo in those letters of every word finds nothing there.

A new kind (the glossary's terms) is one more `Source` subclass in `SOURCES`: its `rows()`,
`matched` columns (a term's name and aliases), `suggestion()` (a definition goes in `detail`, which
the fragment shows under the name) and `tags` (the cache tags whose bump ends a kept answer).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, F, Func, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from blog.models import Post, Term, TermAlias
from blog.selectors import next_scheduled_at
from catalogue import generations
from catalogue import selectors as tiles
from catalogue.consent import consent_for
from shop.pagecache import listings
from shop.pagecache.middleware import publish_due_posts

Franchise = get_model("catalogue", "Franchise")

MIN_LENGTH = 2  # one letter suggests everything: nothing is looked up below this
MAX_LENGTH = 100  # a name is shorter than this; the rest of a pasted text is not read
MAX_WORDS = 6
SQLITE_CANDIDATES = 300  # rows a source ranks in Python on SQLite
SQLITE_CUTOFF = 0.6  # difflib's ratio a word needs to count as the same word on SQLite
TERM_CLOSENESS = (
    0.8  # how close a query must come to a term's name for the search page to define it
)
WORD = re.compile(r"[^\W_]+")  # letters and digits of any script


@dataclass(frozen=True)
class Suggestion:
    label: str
    url: str
    price: Decimal | None = None
    detail: str = ""
    matched: str = ""  # the name it was found by (a term's alias)


@dataclass(frozen=True)
class Group:
    kind: str
    heading: str
    suggestions: tuple[Suggestion, ...]


class WordSimilar(Func):
    """`query <% column`: some stretch of the column is word-similar to the query, above the
    connection's threshold (pg_trgm); answered by a GIN trigram index on the column."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def normalised(text: str) -> str:
    """The query as looked up and kept: its words, lower case, at most MAX_WORDS of them."""
    return " ".join(WORD.findall(text[:MAX_LENGTH].casefold())[:MAX_WORDS])


def closeness(query: str, text: str) -> float:
    """SQLite's stand-in for word similarity: for each word of the query, how close the nearest
    word of the text comes (a word the text's word starts with counts as whole: typing is not
    done), averaged. 0 when a word has no counterpart above SQLITE_CUTOFF."""
    words = WORD.findall(text.casefold())
    scores = []
    for typed in query.split():
        best = max(
            (
                1.0
                if word.startswith(typed)
                else difflib.SequenceMatcher(None, typed, word).ratio()
                for word in words
            ),
            default=0.0,
        )
        if best < SQLITE_CUTOFF:
            return 0.0
        scores.append(best)
    return sum(scores) / len(scores) if scores else 0.0


def starts_alike(query: str, *fields: str) -> Q:
    """SQLite's candidate filter: a field holds the first letters of some word of the query."""
    q = Q(pk__in=[])
    for typed in query.split():
        for field in fields:
            q |= Q(**{f"{field}__icontains": typed[:3]})
    return q


class Source:
    """One kind of thing the box suggests. Subclasses say which rows (`rows()`), which of their
    columns are matched (`matched`), how a row reads (`suggestion()`), and the cache tags their
    answers show (`tags`)."""

    kind = ""
    heading = ""
    limit = 3  # suggestions shown
    matched: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    # Closest first, then `tie_breaks()`; else in the order of `tie_breaks()` alone, among every
    # row close enough (the connection's threshold).
    is_ranked_by_closeness = True

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def suggestion(self, row) -> Suggestion:
        raise NotImplementedError

    def tie_breaks(self) -> tuple:
        return ("pk",)

    def find(self, query: str, *, limit: int) -> list[Suggestion]:
        """The `limit` rows closest to `query` (normalised), closest first: one query."""
        rows = self.rows()
        if connection.vendor == "postgresql":
            # Every word close to some stretch of a matched column: "budgte pin" finds "Budget
            # Academy Enamel Pin", whose words are apart. Each test is the trigram index's.
            words = query.split()
            for word in words:
                close = Q()
                for column in self.matched:
                    close |= Q(WordSimilar(Value(word), F(column)))
                rows = rows.filter(close)
            if self.is_ranked_by_closeness:
                scores = [
                    Greatest(*(TrigramWordSimilarity(Value(word), c) for c in self.matched))
                    if len(self.matched) > 1
                    else TrigramWordSimilarity(Value(word), self.matched[0])
                    for word in words
                ]
                rows = rows.annotate(closeness=sum(scores[1:], scores[0]))
                rows = rows.order_by("-closeness", *self.tie_breaks())
            else:
                rows = rows.order_by(*self.tie_breaks())
            return [self.suggestion(row) for row in rows[:limit]]
        candidates = rows.filter(starts_alike(query, *self.matched)).order_by(*self.tie_breaks())
        scored = []
        for row in candidates[:SQLITE_CANDIDATES]:
            score = max(closeness(query, getattr(row, column)) for column in self.matched)
            if score:
                scored.append((-score if self.is_ranked_by_closeness else 0, len(scored), row))
        return [self.suggestion(row) for _, _, row in sorted(scored)[:limit]]


class Products(Source):
    kind = "products"
    heading = _("Products")
    limit = 5
    matched = ("title",)
    tags = frozenset({generations.ALL_LISTINGS})  # titles and listing prices: catalogue.indexing
    # Best-selling first among the close titles: PostgreSQL walks the best-selling index and stops
    # at the fifth ("enamle pin": a few rows read, whatever the catalogue's size), or, for a rare
    # match, reads the trigram index. Scoring every close title to sort by closeness cost 230 ms
    # at 5,000 products ("enamle pin" is close to a fifth of them).
    is_ranked_by_closeness = False

    def rows(self):
        return tiles.listed_products().only("pk", "slug", "title", "listing_price")

    def tie_breaks(self):
        return ("-num_purchases", "-date_created", "-pk")

    def suggestion(self, row):
        return Suggestion(row.title, row.get_absolute_url(), price=row.listing_price)


class Articles(Source):
    kind = "articles"
    heading = _("Articles")
    matched = ("title", "summary")  # the summary is spoiler-free; the body may not be
    tags = frozenset({generations.BLOG})

    def rows(self):
        return Post.objects.published().only("pk", "slug", "title", "summary", "published_at")

    def tie_breaks(self):
        return ("-published_at", "-pk")

    def suggestion(self, row):
        return Suggestion(row.title, row.get_absolute_url())


class Franchises(Source):
    kind = "franchises"
    heading = _("Series")
    matched = ("name",)
    tags = frozenset({generations.TAXONOMY})

    def rows(self):
        return Franchise.objects.only("pk", "slug", "name")

    def tie_breaks(self):
        return ("name",)

    def suggestion(self, row):
        return Suggestion(row.name, row.get_absolute_url())


class Terms(Source):
    """Glossary terms, by name or any alias ("netorae" finds NTR through "netorare"), with the
    short definition unless a mature or adult warning withholds it: a kept answer is shared by
    every reader, so it is asked for one who has chosen nothing, as linked mentions are."""

    kind = "terms"
    heading = _("Glossary")
    limit = 2
    matched = ("name",)
    tags = frozenset({generations.GLOSSARY})

    def rows(self):
        live = TermAlias.objects.filter(term__in=Term.objects.published().values("pk"))
        warned = Term.content_warnings.through.objects.filter(term_id=OuterRef("term_id"))
        level = warned.values("term_id").annotate(level=Max("contentwarning__level"))
        return live.select_related("term").annotate(warning_level=Subquery(level.values("level")))

    def tie_breaks(self):
        return ("term__name", "pk")

    def find(self, query, *, limit):
        # A term answers to several names: the closest of them speaks for it, once.
        once = {}
        for suggestion in super().find(query, limit=limit * 3):
            once.setdefault(suggestion.url, suggestion)
        return list(once.values())[:limit]

    def suggestion(self, row):
        term = row.term
        withheld = not consent_for(None).allows(row.warning_level or 0)
        label = term.name if row.name == term.name else f"{term.name} ({row.name})"
        return Suggestion(
            label,
            term.get_absolute_url(),
            detail="" if withheld else term.short_definition,
            matched=row.name,
        )


TERMS = Terms()


SOURCES: list[Source] = [Products(), TERMS, Articles(), Franchises()]


@dataclass(frozen=True)
class Answer:
    groups: tuple[Group, ...]
    # When the next scheduled post goes live (a timestamp, 0 if none): the articles change then.
    good_until: float = 0.0

    @property
    def is_empty(self) -> bool:
        return not any(group.suggestions for group in self.groups)


def find(query: str, *, sources: list[Source] | None = None) -> tuple[Group, ...]:
    """Each source's closest matches to the query (normalised), uncached: one query a source."""
    sources = SOURCES if sources is None else sources
    groups = []
    for source in sources:
        found = source.find(query, limit=source.limit)
        groups.append(Group(source.kind, str(source.heading), tuple(found)))
    return tuple(groups)


def suggest(text: str, *, sources: list[Source] | None = None) -> Answer:
    """The suggestions for what was typed, kept in the cache while the things they show stand
    (their sources' tags: a title, a listing price, a publication). None looked up, and no query
    run, for fewer than MIN_LENGTH characters. A cache hit runs no query; a miss one per source,
    and one more for the next scheduled post (so a post going live is suggested on time)."""
    query = normalised(text)
    sources = SOURCES if sources is None else sources
    if len(query) < MIN_LENGTH:
        return Answer(groups=())
    tags = set().union(*(source.tags for source in sources))
    kept_for = (query, get_language(), [type(source).__name__ for source in sources])
    digest = hashlib.sha256(repr(kept_for).encode()).hexdigest()

    def compute() -> Answer:
        # Only articles wait for a time to go live here; a lookup of terms alone needs no date.
        due = next_scheduled_at() if any(isinstance(s, Articles) for s in sources) else None
        return Answer(find(query, sources=sources), good_until=due.timestamp() if due else 0.0)

    answer = listings.remember(f"suggest:{digest}", tags, compute)
    if answer.good_until and timezone.now().timestamp() >= answer.good_until:
        # A post went live: the blog and the products it features change (as the page cache
        # does when it notices first), and every kept answer may be missing it.
        publish_due_posts(since=answer.good_until)
        answer = listings.remember(f"suggest:{digest}", tags, compute)
    return answer


def defined_term(text: str) -> Suggestion | None:
    """The glossary term the whole query names (by its name or an alias, a typo forgiven:
    "netorae"), for the search page to define above its results; None when the query is more
    than a name ("ita bag pins" names no term). Kept like the box's suggestions."""
    query = normalised(text)
    for term in terms_of(suggest(text, sources=[TERMS])):
        name = normalised(term.matched)
        if len(name.split()) == len(query.split()) and closeness(query, name) >= TERM_CLOSENESS:
            return term
    return None


def terms_of(answer: Answer) -> list[Suggestion]:
    return [s for group in answer.groups if group.kind == Terms.kind for s in group.suggestions]


def did_you_mean(text: str, answer: Answer) -> str:
    """The query with each word replaced by the closest word of the closest name of each kind,
    when that changes a word ("enamle pin" → "enamel pin"); "" when it changes none."""
    query = normalised(text)
    closest = [group.suggestions[0].label for group in answer.groups if group.suggestions]
    names = {word for label in closest for word in WORD.findall(label.casefold())}
    corrected = []
    for typed in query.split():
        close = difflib.get_close_matches(typed, names, n=1, cutoff=SQLITE_CUTOFF)
        corrected.append(close[0] if close and typed not in names else typed)
    suggestion = " ".join(corrected)
    return suggestion if suggestion != query else ""
