"""What the security tests share: reading a response's Content-Security-Policy."""


def directives(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, as {directive: [sources]}."""
    policy = response.headers.get("Content-Security-Policy", "")
    found = {}
    for part in filter(str.strip, policy.split(";")):
        name, *sources = part.split()
        found[name] = sources
    return found


def nonce_of(response) -> str | None:
    """The nonce the policy allows scripts with, if the page used one."""
    for source in directives(response).get("script-src", []):
        if source.startswith("'nonce-"):
            return source.removeprefix("'nonce-").removesuffix("'")
    return None
