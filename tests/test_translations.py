"""Translation sets from the files, as Hugo links them: by translationKey or by file name; one
article per language in a set; the links survive re-import, export and the round trip."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from articles.translations import key_from_file_name, language_in_file_name, language_of_folder

pytestmark = pytest.mark.django_db


def article(slug):
    return Article.objects.get(slug=slug)


def front(title, body="Text.", **keys):
    lines = [f"title: {title}", "date: 2024-03-01", *(f"{key}: {value}" for key, value in keys.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n{body}\n"


def test_a_set_by_translation_key(run_import, write_seed):
    run_import(write_seed("a.md", front("Hello", translationKey="greeting")))
    run_import(write_seed("b.md", front("Bonjour", translation_key="greeting", lang="fr")))
    english, french = article("hello"), article("bonjour")
    assert english.translation_key == french.translation_key == "greeting"
    assert (english.language, french.language) == ("en", "fr")
    assert list(english.translations()) == [french] and list(french.translations()) == [english]


def test_a_set_by_file_name_and_a_page_bundle(run_import, write_seed, tmp_path):
    write_seed("post/chapter-1.md", front("Chapter one"))
    write_seed("post/chapter-1.fr.md", front("Chapitre un"))
    write_seed("post/other.md", front("Other"))  # no translation beside it: in no set
    write_seed("trip/index.md", front("The trip"))
    write_seed("trip/index.pt-br.md", front("A viagem"))
    code, _ = run_import(tmp_path)
    assert code == 0
    assert (
        article("chapter-one").translation_key == article("chapitre-un").translation_key == "post/chapter-1"
    )
    assert article("chapitre-un").locale == "fr" and article("chapter-one").locale == ""
    assert article("other").translation_key == ""
    assert (
        article("the-trip").translation_key == article("a-viagem").translation_key == f"{tmp_path.name}/trip"
    )
    assert article("a-viagem").locale == "pt-BR"


def test_the_language_from_a_folder_named_as_one(run_import, write_seed, tmp_path):
    run_import(write_seed("content/fr/post/chapitre.md", front("Chapitre")))
    assert article("chapitre").locale == "fr"
    assert language_of_folder("content/posts/x.md") == ""  # not a language
    assert (
        language_in_file_name("v1.2.md") == ("", "v1.2") and language_in_file_name("notes.draft.md")[0] == ""
    )


def test_two_articles_of_one_set_in_one_language_are_refused_naming_both(run_import, write_seed, tmp_path):
    write_seed("one.md", front("One", translationKey="k", locale="fr"))
    write_seed("two.md", front("Two", translationKey="k", lang="fr"))
    code, lines = run_import(tmp_path)
    assert code != 0
    (refusal,) = [line for line in lines if "translationKey" in line]
    assert "two.md" in refusal and "one.md" in refusal and "'k' in fr" in refusal
    assert Article.objects.filter(translation_key="k").count() == 1

    # Against what an earlier import stored, too.
    code, lines = run_import(write_seed("later/three.md", front("Three", translationKey="k", locale="FR")))
    assert code != 0 and any("already one.md (/blog/one)" in line for line in lines)


def test_reimport_changes_nothing_and_export_writes_the_key_back(run_import, write_seed, tmp_path):
    write_seed("in/post.md", front("Post"))
    write_seed("in/post.de.md", front("Beitrag"))
    run_import(tmp_path / "in")
    code, lines = run_import(tmp_path / "in")
    assert code == 0 and all("unchanged" in line for line in lines if line.startswith(("created", "updated")))
    assert not any(line.startswith(("created", "updated")) for line in lines)

    german = article("beitrag")
    german.excerpt = "Edited in the admin."
    german.edited_at = timezone.now()
    german.save()
    out = tmp_path / "out"
    call_command("export_articles", str(out), stdout=StringIO())
    assert "translationKey: in/post" in (out / "post.de.md").read_text()  # rewritten after its edit
    assert "translationKey: in/post" in (out / "post.md").read_text()  # untouched: the key added

    Article.objects.all().delete()
    run_import(out)
    assert article("beitrag").translation_key == article("post").translation_key == "in/post"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("site/post/chapter-1.fr.md", "post/chapter-1"),
        ("site/trip/index.fr.md", "site/trip"),
        ("site/trip/_index.fr.md", "site/trip"),
        ("site/post/alone.md", ""),
    ],
)
def test_the_key_a_file_name_gives(path, key):
    assert key_from_file_name(path) == key
