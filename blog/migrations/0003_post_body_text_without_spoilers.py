"""Post.body_text: the body's text as search reads it, spoilers left out (blog.markup), in place
of the Markdown source search matched before. Filled here from the stored HTML."""

from django.db import migrations, models


def fill_body_text(apps, schema_editor):
    from catalogue.structured_data import plain_text

    Post = apps.get_model("blog", "Post")
    changed = []
    for post in Post.objects.only("pk", "body_html").iterator(chunk_size=200):
        post.body_text = plain_text(post.body_html)
        changed.append(post)
    Post.objects.bulk_update(changed, ["body_text"], batch_size=200)


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_blog_editors_group")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop),
    ]
