"""compose.py function by function, on hand-made chunks: what each kind of reply shows, and nothing more."""

from __future__ import annotations

from assistant import Settings
from assistant.compose import (
    compose,
    dose_lines,
    exercise_card,
    focused,
    group_list,
    mention,
    passage,
    sends_to_someone,
    source_line,
    starters,
    suggestions,
    with_footer,
)
from assistant.records import Chunk

BRIDGE = Chunk(
    chunk_id="moves/bridge", doc="d.md", title="Bridge", section="Gentle Moves", kind="exercise",
    text="Lift your hips.", summary="A move for the hips.", category="strengthening",
    steps=("Lie on your back.", "Lift your hips and hold for 5 seconds.", "Switch to the other leg."),
    dose=("Lift your hips and hold for 5 seconds.", "Repeat 10 times."), targets="It works the glutes.",
    caution="Stop if it hurts.", caution_see="tips/safe",
)
PLANK = Chunk(chunk_id="moves/plank", doc="d.md", title="Plank", section="Gentle Moves", kind="exercise",
              text="Hold a plank for 30 seconds.", summary="Hold a plank for 30 seconds.",
              related=("faq/plank",))
FAQ = Chunk(chunk_id="faq/plank", doc="d.md", title="How long is a plank?", section="FAQ", kind="faq",
            text="Hold it for 30 seconds. Repeat 3 times.")
SAFE = Chunk(chunk_id="tips/safe", doc="d.md", title="Stay Safe", section="Tips", kind="precaution",
             text="Consult a physiotherapist if the pain persists.")
GROUP = Chunk(chunk_id="moves/overview", doc="d.md", title="Gentle Moves", section="Gentle Moves", kind="group",
              text="", members=("moves/bridge", "moves/plank"))
TIPS = Chunk(chunk_id="tips/overview", doc="d.md", title="Tips", section="Tips", kind="group", text="",
             members=("tips/safe",))
TILT = Chunk(chunk_id="moves/tilt", doc="d.md", title="Pelvic Tilt", section="Gentle Moves", kind="mention",
             text="Moves like the pelvic tilt help.")
BY_ID = {c.chunk_id: c for c in (GROUP, BRIDGE, PLANK, FAQ, TIPS, SAFE, TILT)}


def test_a_card_numbers_the_steps_and_adds_only_dose_lines_the_steps_lack():
    card = exercise_card(BRIDGE, BY_ID)
    assert card.startswith("### Bridge (strengthening exercise)")
    assert "**What it works:** It works the glutes." in card
    assert "1. Lie on your back.\n2. Lift your hips and hold for 5 seconds.\n3. Switch" in card
    assert "**How long / how many:** Repeat 10 times." in card
    assert card.count("hold for 5 seconds") == 1
    assert "**Stop if it hurts:** Stop if it hurts. (see *Tips › Stay Safe*)" in card
    assert card.endswith("*Source: Gentle Moves › Bridge*")


def test_an_exercise_without_steps_says_the_article_gives_no_more():
    card = exercise_card(PLANK, BY_ID)
    assert "The article describes it in one line: Hold a plank for 30 seconds." in card
    assert "It also says, under *How long is a plank?*: Hold it for 30 seconds. Repeat 3 times." in card
    assert "The article gives no more steps than this." in card
    assert "**Steps:**" not in card


def test_dose_lines_borrow_from_related_passages():
    assert dose_lines(PLANK, BY_ID) == ("Hold it for 30 seconds.", "Repeat 3 times.")


def test_a_focused_reply_shows_only_the_asked_part_and_where_it_came_from():
    dose = focused(PLANK, "dose", BY_ID)
    assert dose.startswith("**Plank: how long and how many**\n\n- Hold it for 30 seconds.\n- Repeat 3 times.")
    assert "*Also from: FAQ › How long is a plank?*" in dose
    assert focused(BRIDGE, "targets", BY_ID).startswith("**Bridge: what it works**\n\nIt works the glutes.")
    assert focused(BRIDGE, "other_side", BY_ID).startswith("**Bridge: the other side**\n\n- Switch to the other leg.")
    steps = focused(BRIDGE, "steps", BY_ID)
    assert "1. Lie on your back." in steps and "What it works" not in steps


def test_an_aspect_the_exercise_lacks_falls_back_to_the_whole_card():
    assert focused(PLANK, "targets", BY_ID) == exercise_card(PLANK, BY_ID)


def test_a_group_lists_its_members_in_order_with_their_summaries():
    text = group_list(GROUP, BY_ID)
    assert "The article lists 2 under *Gentle Moves*:" in text
    assert "1. **Bridge**: A move for the hips.\n2. **Plank**: Hold a plank for 30 seconds." in text
    assert "Ask about any of them to see its steps." in text
    assert "Ask about any" not in group_list(TIPS, BY_ID), "precautions have no steps to ask for"


def test_passages_and_mentions_quote_the_text_and_invent_nothing():
    assert passage(SAFE) == ("### Stay Safe\n\nConsult a physiotherapist if the pain persists.\n\n"
                             "*Source: Tips › Stay Safe*")
    said = mention(TILT, BY_ID)
    assert said.startswith("**The article doesn't say how to do the pelvic tilt:**")
    assert "> Moves like the pelvic tilt help." in said


def test_compose_picks_the_form_by_kind():
    assert compose(BRIDGE, BY_ID) == exercise_card(BRIDGE, BY_ID)
    assert compose(BRIDGE, BY_ID, "dose") == focused(BRIDGE, "dose", BY_ID)
    assert compose(GROUP, BY_ID) == group_list(GROUP, BY_ID)
    assert compose(TILT, BY_ID) == mention(TILT, BY_ID)
    assert compose(FAQ, BY_ID) == passage(FAQ)


def test_suggestions_never_repeat_what_the_reply_showed():
    assert suggestions(BRIDGE, BY_ID, "card") == ("How long do I hold it?", "What muscles does it work?")
    assert suggestions(BRIDGE, BY_ID, "dose") == ("What muscles does it work?", "How do I do it?")
    assert suggestions(GROUP, BY_ID) == ("How do I do the Bridge?", "How do I do the Plank?")
    assert suggestions(SAFE, BY_ID) == ("Show gentle moves",)
    assert starters(BY_ID) == ("Show gentle moves", "Show tips")


def test_the_footer_ends_every_reply_after_a_rule():
    settings = Settings().updated({"footer": "Not medical advice."})
    assert with_footer("Body.\n\n", settings) == "Body.\n\n---\n\nNot medical advice."


def test_advice_to_see_someone_is_recognised_in_the_text():
    assert sends_to_someone(SAFE) and sends_to_someone(TILT) and not sends_to_someone(BRIDGE)
    assert source_line(SAFE) == "*Source: Tips › Stay Safe*"
