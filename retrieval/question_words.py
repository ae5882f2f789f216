"""The words that tell what a question asks for: which nouns of "what X" name no thing, a
measure or a manner, and which words after "what" are verbs rather than its noun X."""

from __future__ import annotations

import re

# "What is the name of ..." asks for a name, not for the word "name": such nouns name no thing.
GENERIC_NOUNS = frozenset(
    {
        "name",
        "term",
        "type",
        "kind",
        "sort",
        "number",
        "amount",
        "part",
        "example",
        "purpose",
        "result",
        "reason",
        "cause",
        "effect",
        "role",
        "meaning",
        "use",
        "goal",
        "aim",
        "main",
        "first",
        "last",
        "other",
        "best",
        "most",
        "focus",
        "basis",
        "source",
        "origin",
        "nationality",
        "religion",
        "language",
        "title",
    }
)
# "what is the population of", "what size": a measure, given by a number, not a phrase naming X;
# a price or a cost by an amount of money ("thousands of drones" says nothing of their price).
MONEY_NOUNS = frozenset({"price", "cost", "fee", "salary", "budget"})
MEASURE_NOUNS = MONEY_NOUNS | {
    "size",
    "weight",
    "population",
    "length",
    "height",
    "width",
    "depth",
    "distance",
    "speed",
    "temperature",
    "ratio",
    "duration",
    "area",
    "volume",
    "capacity",
    "diameter",
    "radius",
    "range",
    "altitude",
    "value",
}
# "in what way", "to what extent": asked like "how", answered by no phrase of a kind.
MANNER_NOUNS = frozenset({"way", "ways", "sense", "extent", "manner", "respect"})
STOP_AFTER_NOUN = frozenset(
    {"of", "in", "on", "at", "to", "for", "from", "by", "with", "did", "does", "do", "is", "was"}
)
VERB_AFTER_WHAT = re.compile(
    r"^(?:is|are|was|were|does|do|did|has|have|had|will|would|can|could|should|might|may"
    r"|about|else|kind|type|sort|happened|happens|makes|made|must|shall|doesn|don|didn|isn"
    r"|wasn|aren|weren|won|hasn|haven|causes|keeps|kept|becomes|became|leads|led|allows|helps"
    r"|includes|occurs|needs|gives|gave|creates|produces|means|meant|takes|took|remains"
    r"|requires|uses|contains|prevents|provides|represents|determines|sometimes|often"
    r"|usually|also|typically|generally|still|exactly|really|actually)$",
    re.I,
)
