"""Context cues (ConText-style): negation, experiencer, time, hypotheticals, figures of speech, harmless
numbness; and the reason a clinician reads for each verdict."""

from __future__ import annotations

import pytest

from assistant.triage import affirmed, explain, red_flags, triage
from assistant.triage.learned import own_units, units


@pytest.mark.parametrize(("text", "cue"), [
    ("my cat has lost control of her bladder and my back aches from cleaning up", "PET"),
    ("my husband has prostate cancer and my back is sore from helping him in the bath", "OTHER_PERSON"),
    ("the baby's had a temperature and my back is wrecked from rocking her", "OTHER_PERSON"),
    ("broke my back in a car crash 20 years ago, fully healed, which stretches now?", "HISTORICAL"),
    ("had a kidney infection in 2019, all cleared up, now my back is stiff", "HISTORICAL"),
    ("I was knocked off my bike in the nineties, these days my lower back just gets stiff", "HISTORICAL"),
    ("should I worry if my sciatica ever goes into both legs?", "HYPOTHETICAL"),
    ("felt like I'd been hit by a bus after spin class, back included", "FIGURATIVE"),
    ("my bum goes numb after three hours of driving, fine when I get out", "POSITIONAL"),
    ("no numbness, bladder fine, just a stiff back", "NEGATED"),
    # Cue words of clinical ConText's general lexicon (medspaCy's FAMILY, HISTORICAL, HYPOTHETICAL), not ours.
    ("Mother has had a fever all week, my back is stiff from nursing her", "OTHER_PERSON"),
    ("history of a slipped disc with numbness in both legs years ago, what stretches are safe?", "HISTORICAL"),
    ("if you get numbness in the saddle area is that serious? asking as my back hurts", "HYPOTHETICAL"),
    # A child named by their age alone, and the people of work and home, are someone else too.
    ("our 4 yo has had a fever since Sunday and my back is sore from carrying her", "OTHER_PERSON"),
    ("my roommate was in a car crash on Friday and it got me thinking about my back, tips?", "OTHER_PERSON"),
    # A question about a sign in general, asked of no one in particular; the sign may sit inside the cue.
    ("should people worry about chest pain with back ache?", "HYPOTHETICAL"),
    ("is it bad if sciatica goes into both legs?", "HYPOTHETICAL"),
    ("can a kidney infection feel like back pain?", "HYPOTHETICAL"),
    # Numbness that passes: it comes back to normal, or had a local cause.
    ("inner thighs went tingly on the bike, normal again 10 min later, back a bit stiff", "POSITIONAL"),
    ("feet go numb when my boots are laced too tight, back ok", "POSITIONAL"),
    ("sat on my wallet all day and my butt cheek went numb, gone after I got up, mild back pain", "POSITIONAL"),
    # Friends and mates named without "my", while the user tells of their own ache.
    ("Mate's been crook with a kidney infection and fever. My back is tight from covering his shifts", "OTHER_PERSON"),
    ("nothing numb, no bladder issues, my back is just stiff", "NEGATED"),
    ("should I go to hospital if I come off a ladder? my back is a bit dodgy already", "HYPOTHETICAL"),
    ("had tingling round my back passage on Monday but it went away by the evening, back's a bit stiff", "RESOLVED"),
    # A question typed without a question mark still asks ("how do u tell...").
    ("how can u tell if numbness down below is serious, my back is a bit sore", "HYPOTHETICAL"),
    # Numbness that passes in a minute, and seats and boots that press.
    ("my toes went numb in me walking boots, fine after a sec, back ok", "POSITIONAL"),
    ("bum was numb after the cinema seats for a bit, back a little stiff", "POSITIONAL"),
    ("toes numb after a cold river swim until they warmed up, back a bit stiff", "POSITIONAL"),
    ("my butt went numb on the stadium bench but it was fine within a couple of minutes, back stiff", "POSITIONAL"),
    # A partner in short words; a sign asked about in general; the signs a user has read of and does not have.
    ("my gf has a uti and my back's sore from deadlifts", "OTHER_PERSON"),
    ("is night pain a bad sign in general? my back only hurts after sitting", "HYPOTHETICAL"),
    ("I've read the warning signs, numb groin and leaking, and I have none of those, my back is just stiff", "NEGATED"),
    # Healed, in the words people use for it.
    ("had a numb groin after my epidural years back, totally normal since, back stiff now", "HISTORICAL"),
    ("had a kidney infection in March, antibiotics sorted it, now my back is sore from lifting", "HISTORICAL"),
    # Nerve signs a long-term condition has given for years, unchanged and known to the user's doctors.
    ("MS numbness in both feet, same as always, my lower back is just stiff", "LONGSTANDING"),
    ("the usual tingly feet from my diabetes, nothing new, back a bit stiff", "LONGSTANDING"),
])
def test_a_cue_cancels_the_sign_and_explain_names_it(text: str, cue: str) -> None:
    assert triage([text]).level == "none"
    assert cue in explain([text])


@pytest.mark.parametrize(("text", "category"), [
    ("my dad has pins and needles in his privates", "cauda_equina"),
    ("my son came off his bike and landed on his back", "major_trauma"),
    ("my husband's been dragging his left foot since his back went", "neuro_deficit"),
    ("had bowel cancer in 2015, now my lower back is stiff in the mornings", "malignancy"),
    ("had a water infection two weeks ago, now my lower back is really sore", "infection"),
    ("my wife says I've been wetting the bed and my back is bad", "cauda_equina"),
    # Someone else's cue reaches only until the user's own words begin.
    ("my dog is limping and I can't feel my bum", "cauda_equina"),
    ("Mother has a fever but I have lost control of my bladder and my back is agony", "cauda_equina"),
    ("if I sit down I cant feel my bum at all", "cauda_equina"),
    # "nothing" denies, except where it is what the user feels ("feel nothing when I wipe").
    ("I feel nothing when I wipe and my back is agony", "cauda_equina"),
    ("nothing comes out when I try to pee since my back went", "cauda_equina"),
    # A general question's cue stops at the user's own words.
    ("is it bad if my legs go numb and weak since my back went?", "neuro_deficit"),
    ("can a slipped disc cause numbness in both my legs?", "neuro_deficit"),
    # SMS shorthand is read as the speller reads it ("bak"), but not its single letters ("70 y/o").
    ("my bak hurts and I have a fever", "infection"),
    ("70 y/o dad slipped on the stairs, back pain since", "fracture_risk"),
    # An age said with a possessive ("Nan's 84") or after a job ("retired chippy, 74").
    ("Nan's 84 and she sat down heavily on the armchair, her back's been bad since", "fracture_risk"),
    ("retired postie, 71, slipped on the wet flags, my back is sore now", "fracture_risk"),
    # An exercise named after an animal names no animal.
    ("is the bird dog ok with numbness in both legs and back pain", "neuro_deficit"),
    ("can I do cat cow with a fever and this back pain?", "infection"),
    # A sign that has passed: not for chest pain, and not for the infection that makes later back pain a flag;
    # and "it's gone" is a passing only where its clause ends.
    ("my chest felt tight while I was digging the garden, it passed after a few minutes, my back aches too",
     "chest_or_heart"),
    ("had a water infection that cleared up last week, now my lower back is really sore", "infection"),
    ("the area between my legs feels like it's gone to sleep and it won't wake up, back pain since Friday",
     "cauda_equina"),
    ("both legs went numb in the cold last night and the feeling hasn't come back, back pain too", "neuro_deficit"),
    # Not only when sitting: the numbness is there at other times too.
    ("both legs tingle all the time, not just when driving, my back is rough", "neuro_deficit"),
    # A film that is cling film tells no story.
    ("my inner thighs feel like cling film, I can't feel them properly since my back went", "cauda_equina"),
    # A long-standing sign that has changed is a new one; bladder signs are never explained away as long-standing.
    ("my usual numbness in both feet is now spreading up to my knees", "neuro_deficit"),
    ("known neuropathy, but since monday both legs are numb to the knee", "neuro_deficit"),
    ("MS for years and the usual fatigue, but I can't feel when I wipe since my back went", "cauda_equina"),
])
def test_signs_that_still_count(text: str, category: str) -> None:
    found = triage([text])
    assert found.category == category, explain([text])
    assert found.source == "rules" and found.rule


@pytest.mark.parametrize("text", [
    "my brother's in hospital with a chest infection. I'm fine, just a stiff lower back from the visitor's chair",
    "our lodger has been feverish with flu all week. As for me, lower back is stiff from doing all the shopping",
    "Gran's 90 and had a fall off the kitchen stool, I'm the one with a sore back from lifting her up",
])
def test_the_user_turning_to_their_own_back_makes_the_other_persons_sign_theirs(text: str) -> None:
    """"I'm fine, just...", "as for me", "I'm the one with..." say the back complaint that follows is the user's,
    so the sign told of someone else before it is not theirs."""
    assert triage([text]).level == "none", explain([text])
    assert "OTHER_PERSON" in explain([text])


@pytest.mark.parametrize(("text", "category"), [
    # A worry of the user's own says nothing of whose back it is: asked on their behalf, the sign counts.
    ("my dad is 84, I'm so worried about him. he slipped on the ice yesterday. back sore since", "fracture_risk"),
    ("My husband fell off the ladder this morning. I'm really worried. Back pain is bad, what can he do?",
     "major_trauma"),
])
def test_the_users_worry_about_someone_leaves_their_sign_counting(text: str, category: str) -> None:
    found = triage([text])
    assert (found.category, found.source) == (category, "rules"), explain([text])


def test_someone_else_counts_when_the_user_asks_for_them() -> None:
    """The same words about a relative count unless the conversation is about the user's own back."""
    assert triage(["my mum has osteoporosis and she slipped on the stairs"]).category == "fracture_risk"
    assert triage(["my mum has osteoporosis and she slipped on the stairs", "my back is sore from lifting her"]
                  ).level == "none"


def test_a_question_after_fine_asks_rather_than_tells() -> None:
    assert triage(["my bum is numb, is that normal?"]).category == "cauda_equina"
    assert triage(["peeing is fine"]).level == "none"


def test_explain_shows_the_verdict_rule_and_evidence() -> None:
    report = explain(["Since this morning I can't feel my bum when I wipe"])
    assert report.splitlines()[0] == "verdict: emergency — cauda_equina (rules: saddle_numbness)"
    assert "evidence: “Since this morning I can't feel my bum when I wipe”" in report


def test_every_context_class_is_readable() -> None:
    for cue in red_flags().context.classes:
        assert cue.name and cue.category.isupper()
        assert cue.direction in ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")


@pytest.mark.parametrize(("messages", "own"), [
    # Someone else's sentence in a conversation about the user's own back; the user's sentence stays.
    (["Our dog has lost control of her bladder this week. I hurt my back lifting her into the car, stretches?"],
     [[True, False, True]]),
    (["my brother came off his quad bike", "I have been driving him around", "any stretches for my back?"],
     [[False], [True], [True]]),
    # The user's own words in the sentence make it theirs; with no back of their own, they ask for someone.
    (["my dog is limping and I can't feel my bum"], [[True]]),
    (["my dad can't feel his legs and he fell yesterday, what do we do?"], [[True]]),
])
def test_whose_sentence_it_is_comes_from_the_experiencer_cues(messages: list[str], own: list[list[bool]]) -> None:
    """The learned opinion compares only the user's own sentences with the red-flag exemplars
    (`learned.own_units`), from the rule file's cue classes marked `experiencer`."""
    assert own_units(messages, [units(m) for m in messages]) == own
    assert {c.category for c in red_flags().context.classes if c.experiencer} == {"PET", "OTHER_PERSON"}


@pytest.mark.parametrize(("text", "read_as"), [
    ("no numbness, no tingling, bladder fine, just a sore lower back after gardening, what helps?",
     "just a sore lower back after gardening, what helps?"),
    ("not numb anywhere, peeing fine, lower back is just achy from moving house",
     "lower back is just achy from moving house"),
    ("No fever. Lower back hurts after lifting boxes. Which stretches?",
     "Lower back hurts after lifting boxes. Which stretches?"),
    # A sign said stays, beside the one ruled out.
    ("numbness in my left leg, no tingling, what stretches help?", "numbness in my left leg, what stretches help?"),
])
def test_clauses_that_only_rule_signs_out_are_set_aside_for_what_reads_meaning(text: str, read_as: str) -> None:
    assert affirmed(text) == read_as


@pytest.mark.parametrize("text", [
    "my legs are numb and I can't pee",  # signs said, not ruled out
    "no numbness in my back",  # the clause names the back: it is the question
    "no numbness or tingling",  # nothing else to read
    "how do I do the bridge?",  # no sign at all
])
def test_a_message_that_says_a_sign_or_has_nothing_else_is_read_whole(text: str) -> None:
    assert affirmed(text) == text
