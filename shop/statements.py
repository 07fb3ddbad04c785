"""A queryset's SQL compiled once per process and run again with another value (`Statement`), for
the few reads every checkout makes: a basket's lines (shop.basket.models.LinesStatement), the
order a basket placed and the review page's country (shop.checkout.views), and a payment's
attempt (shop.payments)."""

import copy
import operator

from django.db import connections
from django.db.models.query import ModelIterable


class Statement:
    """A queryset's SQL compiled once per process, run again with another value in place of its
    one `PLACEHOLDER` parameter (a number, or its text for a text column); rows become instances
    as Django's ModelIterable makes them, from the compiler's description of the columns (which
    it keeps). On PostgreSQL it is prepared on each connection, as every statement that runs
    twice is (`prepare_threshold` in settings): the lines query, a dozen joins and subqueries,
    took PostgreSQL longer to parse and plan (0.6 ms) than to run (0.1 ms), on every view. What
    Django works out again for each run from the columns alone, how to convert each column's
    values (`get_converters`, two calls per column: half of reading a basket's lines), is worked
    out once per connection."""

    PLACEHOLDER = -7_319_533  # no row has it
    _compiled: dict = {}

    def __init__(self, queryset):
        self.using = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.using)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        marks = (self.PLACEHOLDER, str(self.PLACEHOLDER))  # a text column holds it as text
        self.placeholder = next(n for n, param in enumerate(self.params) if param in marks)
        self.columns = [column for column, *_ in self.compiler.select[: self.compiler.col_count]]
        self._composite = self.compiler.has_composite_fields(self.columns)

    @classmethod
    def compiled(cls, key, build_queryset) -> "Statement":
        statement = cls._compiled.get(key)
        if statement is None:
            statement = cls._compiled[key] = cls(build_queryset())
        return statement

    def run(self, value, known_related_objects: dict | None = None) -> list:
        params = list(self.params)
        params[self.placeholder] = value
        compiler = copy.copy(self.compiler)
        connection = compiler.connection = connections[self.using]
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        compiler.get_converters = self._known_converters(compiler, connection)
        compiler.has_composite_fields = self._has_composite_fields
        return list(ModelIterable(_Compiled(compiler, known_related_objects or {})))

    def _known_converters(self, compiler, connection):
        """The compiler's `get_converters`, answering for this statement's columns from what it
        answered the first time on `connection`. The converters are the connection's own (its
        `ops`), so they are kept on it, and go with it."""
        worked_out = compiler.get_converters
        kept = connection.__dict__.setdefault("_statement_converters", {})
        known = kept.get(self)
        if known is None:
            known = kept[self] = worked_out(self.columns)

        def get_converters(expressions):
            return known if self._are_columns(expressions) else worked_out(expressions)

        return get_converters

    def _has_composite_fields(self, expressions) -> bool:
        if self._are_columns(expressions):
            return self._composite
        return self.compiler.has_composite_fields(expressions)

    def _are_columns(self, expressions) -> bool:
        """Whether `expressions` are this statement's columns, the very objects (results_iter
        lists them afresh from the compiler's select on every run)."""
        columns = self.columns
        return len(expressions) == len(columns) and all(map(operator.is_, expressions, columns))


class _Compiled:
    """What Django's ModelIterable reads of a queryset: its database, its compiler (here one
    already compiled), and the related objects it already knows (the basket of the lines)."""

    def __init__(self, compiler, known_related_objects):
        self.db = compiler.using
        self.query = self
        self.compiler = compiler
        self.model = compiler.query.model
        self._known_related_objects = known_related_objects

    def get_compiler(self, using=None):
        return self.compiler
