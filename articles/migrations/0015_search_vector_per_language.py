"""Each article's search vector in its own language's text search configuration (PostgreSQL only;
articles/search_languages.py): the vectors made before were all English."""

from django.db import migrations


def refresh_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.models import SEARCH_VECTOR

    apps.get_model("articles", "Article").objects.update(search_vector=SEARCH_VECTOR)


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_translation_key")]

    operations = [migrations.RunPython(refresh_vectors, migrations.RunPython.noop, elidable=True)]
