"""The one backend that checks a password, for every login form.

Oscar's EmailBackend followed by Django's ModelBackend hashed the password twice for a known
e-mail and once for an unknown one, so how long a failure took told an attacker who has an
account. This backend finds the account once, by e-mail (any letter case) or username (the
admin's and dashboard's forms ask for either), and hashes once either way: against the account's
hash, or, like ModelBackend, against a dummy when nobody matches.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from shop.accounts.demo import may_sign_in


def accounts_for(identifier: str):
    """The accounts an e-mail address or username names (more than one only for an e-mail
    address that several accounts share, which Oscar allows)."""
    identifier = identifier.strip()
    by_name = Q(username=identifier)
    return get_user_model()._default_manager.filter(
        by_name | Q(email__iexact=identifier) if "@" in identifier else by_name
    )


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        identifier = email if email is not None else username
        if identifier is None or password is None:
            return None
        accounts = list(accounts_for(identifier)[:10])
        if not accounts:
            get_user_model()().set_password(password)  # the same hasher's cost as a wrong password
            return None
        # Several accounts may share an e-mail address: the one whose password this is, if only
        # one is (Oscar's rule). That costs a hash per account, which reveals only that the
        # address is shared.
        matching = [
            account
            for account in accounts
            if account.check_password(password) and self.user_can_authenticate(account)
        ]
        if len(matching) != 1 or not may_sign_in(matching[0]):
            return None
        return matching[0]
