"""The glossary's public URLs (namespace "glossary") and the staff preview of a term."""

from django.urls import path

from . import glossary_views

app_name = "glossary"

urlpatterns = [
    path("", glossary_views.index, name="index"),
    path("preview/<int:pk>/", glossary_views.preview, name="preview"),
    path("<slug:slug>/", glossary_views.detail, name="detail"),
]
