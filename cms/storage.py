"""Static files storage: WhiteNoise's compressed, hashed names, forgiving when collectstatic has not
run (runserver, tests, a check on a fresh clone): then the plain name is used, which WhiteNoise (with
finders) or runserver serves, instead of a ValueError for every {% static %} in a page."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: no manifest entry and no file in STATIC_ROOT
            return name
