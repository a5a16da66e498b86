"""Standard instruments: their wording, scale sizes and default labels (SPEC §2).

Plain data, no logic beyond string formatting, so the docs, the loader, the
runner and scoring read the same wording.
"""

from __future__ import annotations

NPS_TEXT = "How likely are you to recommend {product} to a friend or colleague?"
NPS_LABELS = {0: "Not at all likely", 10: "Extremely likely"}

CSAT_TEXT = "Overall, how satisfied are you with {product}?"
CSAT_LABELS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}

CES_TEXT = "{product} made it easy for me to do what I wanted to do."
AGREE_7_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Somewhat disagree",
    4: "Neither agree nor disagree",
    5: "Somewhat agree",
    6: "Agree",
    7: "Strongly agree",
}
CES_LABELS = AGREE_7_LABELS

SEQ_TEXT = "Overall, how difficult or easy was the task to complete?"
SEQ_LABELS = {1: "Very difficult", 7: "Very easy"}

SUS_TEXT = "Please rate your agreement with each statement about {product}."
SUS_ITEMS = (
    "I think that I would like to use {product} frequently.",
    "I found {product} unnecessarily complex.",
    "I thought {product} was easy to use.",
    "I think that I would need the support of a technical person to be able to use {product}.",
    "I found the various functions in {product} were well integrated.",
    "I thought there was too much inconsistency in {product}.",
    "I would imagine that most people would learn to use {product} very quickly.",
    "I found {product} very cumbersome to use.",
    "I felt very confident using {product}.",
    "I needed to learn a lot of things before I could get going with {product}.",
)
SUS_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neutral",
    4: "Agree",
    5: "Strongly agree",
}

UMUX_LITE_TEXT = "Please rate your agreement with each statement about {product}."
UMUX_LITE_ITEMS = (
    "{product_cap}'s capabilities meet my requirements.",
    "{product_cap} is easy to use.",
)
UMUX_LITE_LABELS = AGREE_7_LABELS

DEFAULT_PRODUCT = "this system"

#: Bare names allowed in `after_each` / `after` lists, each a standard instrument.
STANDARD_NAMES = ("seq", "sus", "umux_lite", "nps", "csat", "ces")


def fill_product(text: str, product: str) -> str:
    """Put the rated product's name into a standard wording."""
    cap = product[:1].upper() + product[1:]
    return text.replace("{product_cap}", cap).replace("{product}", product)
