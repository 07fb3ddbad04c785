"""What the search box's tests share: asking for suggestions as the header's script does."""

from django.urls import reverse


def suggested(client, text: str) -> str:
    """The suggestion fragment for what was typed."""
    response = client.get(reverse("search:suggest"), {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def labels(answer, kind: str) -> list[str]:
    """The names a group of a suggestion answer shows."""
    return [s.label for group in answer.groups if group.kind == kind for s in group.suggestions]
