"""Signing in and out: the one authentication backend, the login throttle's settings hooks
(django-axes), the password rules, the demo accounts' refusal and the POST-only logout."""
