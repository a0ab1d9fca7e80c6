"""Static files storage: WhiteNoise's compressed, hashed names, forgiving when no manifest exists yet."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(CompressedManifestStaticFilesStorage):
    # Without collectstatic (runserver, tests, a check on a fresh clone) serve plain names rather
    # than raising ValueError for every {% static %} in a page.
    manifest_strict = False
