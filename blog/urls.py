"""The blog's public URLs (namespace "blog"), its feeds and the staff preview."""

from django.urls import path

from . import feeds, views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed-atom"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/to/<int:pk>/", views.to_product, name="to-product"),
]
