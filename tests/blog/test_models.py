"""The rules the blog's models own: which fields a revision keeps."""

from django.db import models

from blog.models import Post, PostRevision

BOOKKEEPING = {"id", "post", "created_at", "saved_by"}


def test_a_revision_lists_every_text_field_it_stores_and_each_is_a_post_field_of_the_same_size():
    stored = {f.name for f in PostRevision._meta.concrete_fields} - BOOKKEEPING
    assert set(PostRevision.TEXT_FIELDS) == stored
    for name in PostRevision.TEXT_FIELDS:
        kept, original = PostRevision._meta.get_field(name), Post._meta.get_field(name)
        assert type(kept) is type(original), name
        if isinstance(original, models.CharField):
            assert kept.max_length == original.max_length, name
