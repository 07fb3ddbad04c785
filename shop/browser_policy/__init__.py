"""What a browser may do on the shop's pages: the Content-Security-Policy (django-csp, with the
payment mode's origins), the Permissions-Policy, and the endpoint browsers report violations to.

The policy itself is in settings (CONTENT_SECURITY_POLICY); README "Security" says why each
directive is what it is.
"""
