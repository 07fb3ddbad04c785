from django.shortcuts import render


def index(request):
    """The blog index; articles arrive with issue 4."""
    return render(request, "blog/index.html")
