"""The words of synthetic articles: titles, excerpts and 3-6 KB Markdown bodies.

Words are drawn from VOCABULARY with Zipf weights (rank r has weight r^-ZIPF), as in prose: the
first words are in nearly every article (COMMON_WORDS, what the search benchmark looks for), the
last ones in few. Function words between them keep sentences from being a bag of keywords, and are
what PostgreSQL's English configuration drops. Every body has headings, a bullet and an ordered
list, links, a code fence and a table; its size is drawn between 3 and 6 KB. A body never starts
with a level-one heading, so it renders the same whatever the article's title (render() drops a
first H1 that repeats the title).
"""

import itertools
import random

# Content words, most frequent first.
VOCABULARY = """
data system page cache server query index content article search user code time file model request
database performance memory team feature release version update design test build deploy network
service client api library framework python django project process change error value result event
storage image style layout editor reader author tag feed sitemap archive history draft schedule
review workflow pipeline container cluster node queue worker task job thread lock transaction row
table column field schema migration backup restore replica shard partition latency throughput
bandwidth traffic load balance proxy edge purge header cookie session token secret key password
account role permission policy security audit log metric trace alert dashboard report chart graph
plot statistic sample median percentile average budget cost price invoice customer market product
launch roadmap sprint meeting decision document guide tutorial example pattern practice principle
rule habit mistake lesson story journey career hiring interview manager engineer developer
designer writer publisher newsroom audience community support forum email newsletter campaign
growth retention churn funnel conversion experiment hypothesis signal noise bias variance
gradient training inference dataset feature vector embedding token prompt context window
compiler parser syntax grammar lexer interpreter runtime garbage collector pointer reference
struct enum trait module package dependency registry mirror checksum signature certificate
domain address route path redirect slug locale language translation format encoding unicode
markdown template render component widget button form input validation accessibility contrast
font color theme icon animation transition viewport mobile desktop browser extension plugin
terminal shell script command option flag argument variable function method class object
interface protocol socket stream buffer packet frame codec video audio camera sensor device
firmware kernel driver filesystem volume snapshot bucket object-store upload download mirror
sync async callback promise future channel actor message broker topic subscriber consumer
producer offset cursor iterator generator closure decorator annotation macro benchmark profile
flame regression fixture mock coverage lint formatter review merge branch commit rebase tag
incident outage postmortem runbook oncall escalation recovery failover quorum consensus leader
follower election heartbeat timeout retry backoff jitter idempotency deduplication ordering
""".split()  # noqa: SIM905 (a list literal would take a line a word)
VOCABULARY = list(dict.fromkeys(VOCABULARY))  # a word listed twice keeps its first rank
COMMON_WORDS = VOCABULARY[:2]
# Zipf's exponent for these words: below English's 1, since the function words take the top ranks.
ZIPF = 0.7
_CUMULATIVE = list(itertools.accumulate(rank**-ZIPF for rank in range(1, len(VOCABULARY) + 1)))

FUNCTION_WORDS = """the a of to and in for with on by from as at is are was be this that it
we you our their when how why not more most each every""".split()  # noqa: SIM905
CODE_LANGUAGES = ("python", "bash", "javascript", "yaml", "sql")
BODY_BYTES = (3000, 6000)


def words(rng, count):
    return rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=count)


def sentence(rng, low=6, high=16):
    out = []
    for word in words(rng, rng.randint(low, high)):
        if out and rng.random() < 0.35:
            out.append(rng.choice(FUNCTION_WORDS))
        out.append(word)
    text = " ".join(out)
    return text[:1].upper() + text[1:] + "."


def title(rng):
    head, *rest = words(rng, rng.randint(3, 7))
    cut = rng.randint(1, len(rest) - 1)
    joiner = rng.choice(("for", "with", "and", "in", "without"))
    return " ".join([head.capitalize(), *rest[:cut], joiner, *rest[cut:]])


def excerpt(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 2)))


def _link(rng):
    label = " ".join(words(rng, rng.randint(1, 3)))
    return f"[{label}](https://example.com/{'/'.join(words(rng, 2))})"


def paragraph(rng):
    parts = []
    for _ in range(rng.randint(2, 5)):
        text = sentence(rng)
        roll = rng.random()
        if roll < 0.15:
            text = f"{text[:-1]}, see {_link(rng)}."
        elif roll < 0.25:
            text = f"{text[:-1]} with `{'_'.join(words(rng, 2))}()`."
        elif roll < 0.3:
            text = f"**{text[:-1]}**."
        parts.append(text)
    return " ".join(parts)


def heading(rng, level=2):
    return f"{'#' * level} {' '.join(words(rng, rng.randint(2, 5))).capitalize()}"


def bullet_list(rng):
    return "\n".join(
        f"- {sentence(rng, 3, 8)[:-1]}" + (f" ({_link(rng)})" if rng.random() < 0.5 else "")
        for _ in range(rng.randint(3, 6))
    )


def ordered_list(rng):
    return "\n".join(f"{n}. {sentence(rng, 3, 8)}" for n in range(1, rng.randint(3, 5) + 1))


def code_fence(rng):
    language = rng.choice(CODE_LANGUAGES)
    lines = []
    for _ in range(rng.randint(4, 10)):
        a, b, c = words(rng, 3)
        a, b = a.replace("-", "_"), b.replace("-", "_")
        lines.append(
            {
                "python": f"{a}_{b} = {c.replace('-', '_')}({rng.randint(1, 99)}, key={a!r})",
                "bash": f"{a} --{b} {c} | grep -c {rng.randint(1, 99)}",
                "javascript": f"const {a}{b.capitalize()} = await {c.replace('-', '')}({rng.randint(1, 99)});",
                "yaml": f"{a}_{b}: {c} # {rng.randint(1, 99)}",
                "sql": f"SELECT {a}, {b} FROM {c.replace('-', '_')} WHERE id = {rng.randint(1, 99)};",
            }[language]
        )
    return f"```{language}\n" + "\n".join(lines) + "\n```"


def table(rng):
    columns = rng.randint(3, 4)
    head = words(rng, columns)
    alignments = [rng.choice(("---", ":-:", "--:")) for _ in range(columns)]
    rows = [
        "| " + " | ".join([*words(rng, 1), *(str(rng.randint(1, 9999)) for _ in range(columns - 1))]) + " |"
        for _ in range(rng.randint(3, 8))
    ]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "|".join(alignments) + "|", *rows])


def quote(rng):
    return "> " + sentence(rng)


def image(rng, number):
    return (
        f"![{' '.join(words(rng, 3))}](https://res.cloudinary.com/demo/image/upload/synthetic/{number}.jpg)"
    )


# Each body has one of each of these, at a random place; further blocks are drawn from OPTIONAL.
REQUIRED = (bullet_list, ordered_list, code_fence, table)
OPTIONAL = (bullet_list, code_fence, quote, table)


def body(seed, number):
    """Body `number` of a seed: the same text every time (its own random stream), 3-6 KB of Markdown."""
    rng = random.Random(f"{seed}:body:{number}")
    low, high = BODY_BYTES
    # The loop below stops at the first piece past the target; the longest piece is under 700 bytes.
    target = rng.randint(low, high - 700)
    required = list(REQUIRED)
    rng.shuffle(required)
    parts = [paragraph(rng)]
    if rng.random() < 0.2:
        parts.append(image(rng, number))
    size = len(parts[0])
    while size < target or required:
        pieces = [heading(rng, 3 if rng.random() < 0.2 else 2), paragraph(rng)]
        carries_required = bool(required)
        if carries_required:
            pieces.append(required.pop()(rng))
        elif rng.random() < 0.3:
            pieces.append(rng.choice(OPTIONAL)(rng))
        for piece in pieces:
            parts.append(piece)
            size += len(piece) + 2
            # A section ends after its text, never on its heading, and keeps its required block.
            if size >= target and not carries_required and not piece.startswith("#"):
                break
    return "\n\n".join(parts) + "\n"
