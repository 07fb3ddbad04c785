"""The offer models are Oscar's, with condition and benefit descriptions that are HTML.

Oscar's dashboard renders `offer.condition.description` and `offer.benefit.description` with
`|safe`. A proxy's description links its range (offer.utils.range_anchor escapes the name), but
the base classes fall back on the name, which carries the range's name as it was typed.
"""

from django.utils.html import escape
from oscar.apps.offer.abstract_models import AbstractBenefit, AbstractCondition


class Benefit(AbstractBenefit):
    @property
    def description(self):
        return _escaped_name(self)


class Condition(AbstractCondition):
    @property
    def description(self):
        return _escaped_name(self)


def _escaped_name(rule) -> str | None:
    try:
        return escape(rule.name)
    except AttributeError:  # as Oscar's: a rule whose proxy has no name has no description
        return None


from oscar.apps.offer.models import *  # noqa: E402, F403
