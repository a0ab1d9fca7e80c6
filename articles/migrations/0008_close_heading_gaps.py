"""Stored pages skip no heading level (RENDER_VERSION 3): body_html and the table of contents of
existing rows are rendered again from their unchanged Markdown."""

from django.db import migrations


def rerender_bodies(apps, schema_editor):
    # render()/outline() are pure functions of the text, so calling today's code here is safe.
    from django.core.files.storage import default_storage

    from articles.markdown import outline, render

    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias)
    for article in articles.only("pk", "title", "body", "local_images").iterator():
        image_urls = {written: default_storage.url(name) for written, name in article.local_images.items()}
        body_html = render(article.body, title=article.title, image_urls=image_urls)
        headings, _ = outline(body_html)
        articles.filter(pk=article.pk).update(body_html=body_html, headings=headings)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_history_reader_fields"),
    ]

    operations = [
        migrations.RunPython(rerender_bodies, migrations.RunPython.noop),
    ]
