"""Indexes that serve each listing sort over listed products (see Product.Meta)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0041_product_character_ids'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.OrderBy(models.F('date_created'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_newest'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.OrderBy(models.F('listing_price'), nulls_last=True), models.F('id'), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_price_asc'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.OrderBy(models.F('listing_price'), descending=True, nulls_last=True), models.F('id'), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_price_desc'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.F('title'), models.F('id'), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_title'),
        ),
    ]
