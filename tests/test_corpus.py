"""The real-world corpus (tests/data/corpus, see its MANIFEST.tsv): every file imports or is refused
with a one-line reason, and this test pins which. Files are laid out under their original names
(Jekyll reads dates and titles from them), each in a folder of its own, in the corpus's order."""

from articles.importer import import_paths
from articles.models import Article, Status

from .conftest import CORPUS, corpus_manifest

# file in the corpus -> (outcome, slug or a piece of the reason)
EXPECTED = {
    "11ty__eleventy-base-blog__fifthpost.md": (
        "failed",
        "front matter is not YAML, TOML or JSON (it opens with '---js'",
    ),
    "11ty__eleventy-base-blog__fourthpost.md": ("created", "this-is-my-fourth-post"),
    "11ty__eleventy-base-blog__secondpost.md": ("created", "this-is-my-second-post-with-a-much-longer-title"),
    "11ty__eleventy-base-blog__thirdpost.md": ("created", "this-is-my-third-post"),
    "18F__18f.gsa.gov__2014-03-12-coming-soon.md": ("created", "coming-soon"),
    "18F__18f.gsa.gov__2015-05-21-TockingTime.md": ("created", "tockingtime"),
    "18F__18f.gsa.gov__2015-12-16-useiti-whats-in-first-report.md": (
        "created",
        "useiti-whats-in-first-report",
    ),
    "18F__18f.gsa.gov__2016-07-18-cloud-gov-full-steam-ahead-fedramp-assessment-process.md": (
        "created",
        "cloud-gov-full-steam-ahead-fedramp-assessment-process",
    ),
    "18F__18f.gsa.gov__2021-09-16-a_day_in_the_life_-_ingeniero_en_18f.md": (
        "created",
        "a_day_in_the_life_-_ingeniero_en_18f",
    ),
    "18F__18f.gsa.gov__2024-04-03-18f-practices-in-action.md": ("created", "18f-practices-in-action"),
    "andremmfaria__articles__Mastering Technical Interviews A Practical Guide to the Algorithms That Appear Again and Again.md": (
        "created",
        "mastering-technical-interviews-a-practical-guide-to-the-algorithms-that-appear-again-and-again",
    ),
    "andremmfaria__articles__Transparent LAGG (LACP) Bridge with OPNsense, UDM, and UniFi — A Practical Guide.md": (
        "created",
        "building-a-transparent-lagg-lacp-bridge-with-opnsense-udm-and-unifi-a-practical-guide",
    ),
    "gatsbyjs__gatsby-starter-blog__hello-world.md": ("created", "hello-world"),
    "gatsbyjs__gatsby-starter-blog__my-second-post.md": ("created", "my-second-post"),
    "gohugoio__hugoDocs__0.17-relnotes.md": ("created", "017-hugo-is-going-global"),
    "gohugoio__hugoDocs__0.26-relnotes.md": ("created", "hugo-026-language-style-edition"),
    "gohugoio__hugoDocs__2021-12-17-no-more-releasenotes.md": ("created", "no-more-releasenotes-here"),
    "gohugoio__hugoDocs__lets-celebrate-hugos-5th-birthday.md": (
        "created",
        "lets-celebrate-hugos-5th-birthday",
    ),
    "halogenica__beautifulhugo__2015-01-04-first-post.md": ("created", "first-post"),
    "halogenica__beautifulhugo__2015-02-20-test-markdown.md": ("created", "test-markdown"),
    "halogenica__beautifulhugo__2015-02-26-flake-it-till-you-make-it.md": (
        "created",
        "flake-it-till-you-make-it",
    ),
    "halogenica__beautifulhugo__2026-05-10-meta-ai-search-summary-limits.md": (
        "created",
        "meta-ai-search-summary-limits",
    ),
    "halogenica__beautifulhugo__mathjax-override.md": ("created", "mathjax-per-page-override"),
    "jekyll__jekyll__2014-06-04-jekyll-stickers-1-dollar-stickermule.markdown": (
        "created",
        "jekyll-stickers-1-dollar-stickermule",
    ),
    "jekyll__jekyll__2016-03-10-making-it-easier-to-contribute-to-jekyll.md": (
        "created",
        "making-it-easier-to-contribute-to-jekyll",
    ),
    "jekyll__jekyll__2016-08-24-jekyll-admin-initial-release.markdown": (
        "created",
        "jekyll-admin-initial-release",
    ),
    "jekyll__jekyll__2016-10-06-jekyll-3-3-is-here.md": ("created", "jekyll-3-3-is-here"),
    "jekyll__jekyll__2018-03-14-development-update.md": ("created", "development-update"),
    "jekyll__jekyll__2019-08-04-jekyll-4-0-0-pre-beta1-released.markdown": (
        "created",
        "jekyll-4-0-0-pre-beta1-released",
    ),
    "jekyll__jekyll__2020-05-27-jekyll-4-1-0-released.markdown": ("created", "jekyll-4-1-0-released"),
    "jekyll__minima__2016-05-20-my-example-post.md": ("created", "my-example-post"),
    "jekyll__minima__2016-05-20-super-long-article.md": ("created", "super-long-article"),
    "jekyll__minima__2016-05-20-this-post-demonstrates-post-content-styles.md": (
        "created",
        "this-post-demonstrates-post-content-styles",
    ),
    "jekyll__minima__2016-05-20-welcome-to-jekyll.md": ("created", "welcome-to-jekyll"),
    "luizdepra__hugo-coder__archetype-posts.md": (
        "failed",
        "front matter is not valid TOML: Invalid initial character for a key part (at line 3, column 9); it looks like a template, not an article",
    ),
    "luizdepra__hugo-coder__emoji-support.pt-br.md": ("created", "suporte-a-emojis"),
    "luizdepra__hugo-coder__external-post.md": ("created", "hugo-coder-wiki"),
    "mmistakes__minimal-mistakes__2009-09-05-edge-case-no-yaml-title.md": (
        "created",
        "edge-case-no-yaml-title",
    ),
    "mmistakes__minimal-mistakes__2010-08-05-post-header-image-og-override.md": (
        "created",
        "post-header-image-og-override",
    ),
    "olOwOlo__hugo-theme-even__chinese-preview.md": ("created", "中文-长恨歌"),
    "olOwOlo__hugo-theme-even__even-preview.md": ("created", "theme-preview"),
    "olOwOlo__hugo-theme-even__hidden-post.md": ("created", "this-is-a-hidden-post"),
    "rust-lang__blog.rust-lang.org__2014-12-12-1.0-Timeline.md": ("created", "10-timeline"),
    "rust-lang__blog.rust-lang.org__2019-09-25-Welcome.md": ("created", "welcome"),
    "rust-lang__blog.rust-lang.org__2021-06-15-boxyuwu-leseulartichaut-the8472-compiler-contributors.md": (
        "created",
        "boxyuwu-leseulartichaut-the8472-compiler-contributors",
    ),
    "rust-lang__blog.rust-lang.org__2023-Rust-Annual-Survey-2023-results.md": (
        "created",
        "2023-annual-rust-survey-results",
    ),
    "rust-lang__blog.rust-lang.org__Increasing-Rusts-Reach.md": ("created", "increasing-rusts-reach"),
    "sinedied__articles__angular-config.md": (
        "failed",
        "no front matter (the file must start with ---, +++ or a JSON object)",
    ),
    "sinedied__articles__announcement.md": (
        "created",
        "serverless-mcp-agent-with-langchainjs-v1-burgers-tools-and-traces",
    ),
    "sinedied__articles__ng-lite-1.md": ("created", "a-simpler-and-smaller-angular-starter-with-nglite"),
    "sinedied__articles__starter.md": ("created", "the-complete-starter-guide-to-3d-printing"),
    "theNewDynamic__gohugo-theme-ananke__chapter-3.md": ("created", "chapter-iii-monsieur-the-cardinal"),
    "theNewDynamic__gohugo-theme-ananke__fr-chapter-1.md": ("created", "chapitre-i-la-grande-halle"),
    "timlrx__tailwind-nextjs-starter-blog__introducing-multi-part-posts-with-nested-routing.md": (
        "created",
        "introducing-multi-part-posts-with-nested-routing",
    ),
    "timlrx__tailwind-nextjs-starter-blog__introducing-tailwind-nextjs-starter-blog.mdx": (
        "created",
        "introducing-tailwind-nextjs-starter-blog",
    ),
    "timlrx__tailwind-nextjs-starter-blog__my-fancy-title.md": ("created", "my-fancy-title"),
    "timlrx__tailwind-nextjs-starter-blog__release-of-tailwind-nextjs-starter-blog-v2.0.mdx": (
        "created",
        "release-of-tailwind-nextjs-starter-blog-v20",
    ),
    "vercel__next.js__dynamic-routing.md": ("created", "dynamic-routing-and-static-generation"),
    "withastro__astro__first-post.md": ("failed", "slug: 'first-post' is already taken by "),
    "withastro__astro__markdown-style-guide.md": ("created", "markdown-style-guide"),
}


def test_manifest_lists_every_corpus_file():
    listed = {row["file"] for row in corpus_manifest()}
    on_disk = {p.name for p in CORPUS.iterdir()} - {"MANIFEST.tsv", "README.md"}
    assert listed == on_disk == set(EXPECTED)


def test_every_corpus_file_imports_or_fails_with_one_line(db, laid_out_corpus):
    report = import_paths(sorted(laid_out_corpus))
    got = {laid_out_corpus[o.path]: o for o in report.outcomes}
    assert set(got) == set(EXPECTED)
    for name, (action, expected) in EXPECTED.items():
        outcome = got[name]
        assert outcome.action == action, (name, outcome.line)
        if action == "failed":
            assert expected in outcome.detail, (name, outcome.detail)
            assert "\n" not in outcome.detail and "Traceback" not in outcome.detail
        else:
            assert outcome.slug == expected, (name, outcome.slug)
    assert Article.objects.count() == sum(1 for action, _ in EXPECTED.values() if action == "created")


def test_corpus_reimport_changes_nothing(db, laid_out_corpus):
    import_paths(sorted(laid_out_corpus))
    again = import_paths(sorted(laid_out_corpus))
    assert {o.action for o in again.outcomes} == {"unchanged", "failed"}


def test_corpus_dates_and_authors(db, laid_out_corpus):
    import_paths(sorted(laid_out_corpus))
    jekyll = Article.objects.get(slug="jekyll-admin-initial-release")
    assert jekyll.published.isoformat() == "2016-08-25T06:50:00+00:00"  # "2016-08-25 09:50:00 +0300"
    welcome = Article.objects.get(slug="welcome-to-jekyll")  # no date key: the file name's date
    assert welcome.published.isoformat() == "2016-05-20T00:00:00+00:00"
    assert welcome.title == "Welcome to jekyll"
    astro = Article.objects.get(slug="markdown-style-guide")  # pubDate: 'Jun 19 2024'
    assert astro.published.isoformat() == "2024-06-19T00:00:00+00:00"
    hugo = Article.objects.select_related("author").get(slug="first-post")
    assert hugo.author.name == "Michael Henderson" and hugo.author.url == "https://example.com"
    devto = Article.objects.get(
        slug="mastering-technical-interviews-a-practical-guide-to-the-algorithms-that-appear-again-and-again"
    )
    assert devto.status == Status.DRAFT
