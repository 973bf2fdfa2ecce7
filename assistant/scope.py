"""Out-of-scope detection: other body parts, diagnoses, medicines, scans or surgery, or plainly unrelated."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.triage import RuleSet

Reason = Literal["other_body_part", "diagnosis", "medication", "scan_or_surgery", "off_topic"]

# Tried in this order: a question about a dose for knee pain is about medicine first.
REASONS: tuple[Reason, ...] = ("medication", "scan_or_surgery", "diagnosis", "other_body_part", "off_topic")

# The same layout and phrase syntax as red_flags.toml (see its header): each category is a reason, and a
# question is out of scope when one of the reason's rules matches it. Only the plain cases are here; the
# caller adds a retrieval-score check for the rest, so a question about the back, its exercises, pain,
# posture and so on stays in scope unless a specific reason applies.
RULES = """
[settings]
gap = 3

# "exercises instead of painkillers" is still a question about exercises.
[[context]]
name = "clause break"
category = "CLAUSE"
direction = "TERMINATE"
phrases = ["but", "and", "so", "because", "then"]

[[context]]
name = "instead of"
category = "NEGATED"
direction = "FORWARD"
max_scope = 3
terminated_by = ["CLAUSE"]
phrases = ["no", "not", "without", "instead of", "rather than", "other than", "apart from", "avoid",
           "avoiding", "stop", "stopped", "off"]

# What a clinician already said ("my physio said it's just a strain") is reassurance, not a question.
[[context]]
name = "what someone already said"
category = "REPORTED"
direction = "FORWARD"
max_scope = 4
terminated_by = ["CLAUSE"]
phrases = ["said", "says", "told me", "told us", "reckons", "reckoned", "thinks", "confirmed"]

[[context]]
name = "not a negation"
category = "NEGATED"
direction = "PSEUDO"
phrases = ["not sure", "no idea"]

[spelling]
fix = ["ibuprofin -> ibuprofen", "ibuprophen -> ibuprofen", "iboprofen -> ibuprofen", "asprin -> aspirin",
       "paracetomol -> paracetamol", "naproxin -> naproxen", "disk -> disc", "disks -> discs",
       "sciatic -> sciatica", "herniation -> herniated"]
fuzzy = ["ibuprofen", "naproxen", "paracetamol", "acetaminophen", "painkillers", "painkiller", "medication",
         "codeine", "tramadol", "diclofenac", "gabapentin", "pregabalin", "amitriptyline", "surgery",
         "operation", "injection", "herniated", "arthritis", "sciatica", "stenosis", "scoliosis", "diagnose",
         "diagnosis", "shoulder", "shoulders", "elbow", "ankle", "wrist"]
keep = ["waist", "waists"]

[words]
# The lower back, its exercises and how it feels.
back = ["back", "backs", "backache*", "spine", "spinal", "lumbar", "sciatica", "glute*", "hamstring*", "core",
        "pelvi*", "buttock*", "bum", "piriformis", "tailbone", "coccyx", "posture"]
domain = ["@back", "exercis*", "stretch*", "workout*", "pain*", "hurt*", "ache*", "aching", "sore*", "stiff*",
          "tight*", "plank*", "bridge*", "superman*", "deadlift*", "dead lift*", "yoga", "pilates",
          "child's pose", "childs pose", "cat cow", "bird dog*", "hyperextension*", "knee to chest",
          "muscle*",
          "gym", "physio*", "chiropract*", "massage", "heat", "ice", "walking", "swimming", "rep", "reps",
          "sets", "hold", "mat", "strength*", "flexib*", "injur*", "lift*", "bend*", "sitting", "desk"]
problem = ["pain*", "painful", "hurt*", "ache*", "aching", "achy", "sore*", "injur*", "sprain*", "strain*",
           "stiff*", "swollen", "swelling", "click*", "pop*", "crack*", "grind*", "arthritis", "tendon*",
           "tendinitis", "tendonitis", "bursitis", "replacement", "dislocat*", "torn", "tear", "broken",
           "fractur*", "problem*", "issue*", "bad", "dodgy", "rehab", "recover*", "twinge*", "niggle*",
           "killing me", "playing up", "weak", "numb", "numbness", "tingl*", "pins and needles", "cramp*", "spasm*"]
# What can cause low back pain, as the differential diagnosis of low back pain lists it (NICE NG59, the NHS
# back-pain pages, the IFOMPT framework's serious pathologies): "could it be my kidneys?", "is it shingles?".
causes = ["kidney*", "uti", "urine infection", "bladder infection", "gallstone*", "gallbladder", "appendix",
          "appendicitis", "pancrea*", "endometriosis", "ovar*", "fibroid*", "prostat*", "shingles", "gout",
          "osteoporosis", "osteomyelitis", "discitis", "spondylolisthesis", "spondylosis", "spondylitis",
          "aneurysm", "aort*", "myeloma", "lymphoma", "metasta*", "polymyalgia", "paget*", "hernia",
          "pregnan*", "sacroiliitis", "si joint", "facet joint*", "disc", "discs", "sciatica", "arthritis",
          "strain", "sprain", "tumour", "tumor", "cancer", "infection"]
# The generic words for a diagnosis, as a label asked for ("is this a condition?", "what disease is it?").
labels = ["condition", "disease", "disorder", "syndrome", "illness"]
# The article's own subject: a question about an exercise is about the article, not a diagnosis.
exercises = ["exercis*", "stretch*", "bridge*", "plank*", "superman*", "pose", "poses", "yoga", "pilates",
             "workout*", "routine*", "rep", "reps", "cat cow", "bird dog*", "knee to chest", "pelvic tilt*",
             "piriformis", "strengthen*"]
parts = ["neck", "necks", "knee", "knees", "ankle*", "shoulder*", "wrist*", "elbow*", "hand", "hands",
         "finger*", "thumb*", "foot", "feet", "toe", "toes", "heel", "heels", "calf", "calves", "shin",
         "shins",
         "jaw", "head", "hip", "hips", "upper back", "mid back", "middle back", "thoracic", "rib",
         "ribs", "arm",
         "arms", "forearm*", "achilles", "groin", "stomach", "tummy"]
# Where the article itself names a body part: these are about the back exercises, not about that part.
article_parts = [
    "knee/knees ... to/into/towards/toward ... chest", "chest ... to/towards/toward ... knee/knees",
    "knee/knees hug*", "knee to close", "hands and knees", "on ... knees", "bend/bent ... knees/knee",
    "knees/knee ... bent/bend/apart/together/width/hip*", "opposite knee", "ankle ... on ... knee",
    "over/across ... other/opposite ... knee/leg", "ankle ... across/over ... knee", "hip width",
    "hips ... width/apart", "hinge ... hips",
    "lift/lifting/raise/raising/push/pushing/drop/dropping/thrust* ... hips/hip",
    "hips/hip ... off/up/down/raise*/lift*", "hip raise*", "hip thrust*", "hip flexor*",
    "shoulders ... knees",
    "front of ... shoulders", "shoulder width", "shoulders ... down/back/relaxed",
    "feet ... flat/apart/width",
    "head to toe", "chin ... chest", "through ... heels", "hands ... shoulders", "arms ... legs",
    "arm ... leg",
    "arms ... front", "head ... tailbone", "lie/lying ... on ... stomach/tummy", "on all fours",
    "hands/feet ... on the floor/ground"]

[[category]]
id = "medication"
level = "medication"
label = "medicines and doses"

[[category.rule]]
within = "sentence"
need.medicine = ["ibupro*", "ibup*", "nurofen", "advil", "motrin", "naprox*", "naprosyn", "aleve", "paracet*",
            "acetamin*", "tylenol", "panadol", "calpol", "aspirin", "codei*", "co codamol", "cocodamol",
            "tramad*", "morphine", "oxycod*", "oxycontin", "fentanyl", "opioid*", "opiate*", "diclof*",
            "voltaren", "voltarol", "gabap*", "pregab*", "lyrica", "amitrip*", "duloxetine", "cymbalta",
            "diazepam", "valium", "cyclobenzaprine", "flexeril", "methocarbamol", "robaxin", "baclofen",
            "tizanidine", "muscle relax*", "relaxant*", "relaxer*", "painkiller*", "pain killer*",
            "pain relief ... pill*/tablet*/med*", "anti inflammator*", "antiinflammator*",
            "inflammator* ... pill*/tablet*/drug*/med*", "nsaid*", "med", "meds", "medication*", "medicine*",
            "pill", "pills", "tablet", "tablets", "capsule*", "dose", "doses", "dosage*", "mg", "mgs",
            "milligram*", "prescription*", "prescribe*", "drug", "drugs", "cbd", "cannabis", "supplement*",
            "vitamin*", "magnesium", "turmeric", "glucosamine", "deep heat", "deep freeze", "lidocaine",
            "steroid tablets", "prednis*", "take ... something ... for ... pain", "what can i take",
            "over the counter"]

[[category]]
id = "scan_or_surgery"
level = "scan_or_surgery"
label = "scans and surgery"

[[category.rule]]
within = "sentence"
need.decision = ["mri", "mris", "m r i", "ct", "ct scan*", "cat scan*", "x ray*", "xray*", "scan", "scans",
            "scanned",
            "ultrasound", "dexa", "imaging", "surgery", "surgeries", "surgeon*", "operation", "operate",
            "operated", "operating", "spinal fusion", "fusion", "discectomy", "microdiscectomy",
            "laminectomy",
            "decompression", "disc replacement", "epidural*", "injection*", "steroid shot*", "cortisone",
            "nerve block*", "radiofrequency", "ablation", "keyhole", "back op", "an op", "the op", "my op"]

[[category]]
id = "diagnosis"
level = "diagnosis"
label = "a diagnosis"

[[category.rule]]
why = "asks what is wrong"
within = "sentence"
need.asked = ["diagnose", "diagnoses", "diagnosis", "diagnosing", "diagnostic*", "get/be/getting/being diagnosed",
         "how ... diagnosed", "what ... wrong ... with", "whats wrong", "what is wrong", "what have i done",
         "what did i do to", "what/whats ... causing ... my/his/her/this/it", "what's causing",
         "what could ... be causing/cause", "what might ... be causing/cause", "what caused my",
         "is it/this ... serious", "should i be worried", "what condition",
         "what kind/type/sort of ... injury/condition/problem", "is it/this/that/my ... something serious",
         "what have i got", "what ive got", "what i've got", "what i have got", "tell me what i have"]

[[category.rule]]
why = "asks whether it is a named condition"
within = "sentence"
near = 8
need.asking = ["do/does/did i/you/he/she/they/we ... have", "have/has i/you/he/she/they ... got",
          "is it/this/that/my",
          "its/it's/thats", "could/can/might/would ... it/this/that/i/my/he/she ... be/have",
          "am i/he ... suffering/having", "how do/can/would i/you ... know/tell ... if/whether",
          "is this/it/that ... a/an/from/because/due/caused", "sounds like",
          "does/do ... it/this/that/they ... sound", "is the pain ... from/because/due", "is my ... from"]
need.condition = ["slipped ... disc/discs", "herniat*", "bulging ... disc/discs", "bulge", "prolapse*",
             "disc/discs ... problem*/issue*/injury/degenerat*/protrusion", "sciatica", "arthritis",
             "osteoarthritis", "spondyl*", "stenosis", "scoliosis", "kyphosis", "lordosis", "degenerat*",
             "kidney*", "fibromyalgia", "ankylosing", "sacroiliac", "si joint",
             "pinched/trapped/compressed ... nerve",
             "nerve ... damage/compression/root", "pulled/strained/torn ... muscle/something/ligament",
             "muscle ... strain/tear/spasm", "strain", "sprain", "fractur*", "broken", "cancer", "tumour",
             "infection", "cauda equina", "piriformis syndrome", "facet*", "ligament*", "disc", "discs",
             "muscular", "serious", "normal back pain", "just a", "something worse", "@causes", "@labels"]
# "Is it safe if I have a herniated disc?" asks whether exercise suits them, not what is wrong; "it's gone now"
# and "it's been fine since" say a condition is over, and ask nothing about it.
except_in = ["is it/this/that ... safe/ok/okay/alright/fine/wise/advisable/good/helpful/better/suitable/recommended",
             "its/it's/thats/that's gone/better/fine/healed/cleared/settled/over/resolved/eased",
             "its/it's/thats/that's all/totally/completely/fully/been/now gone/better/fine/healed/cleared/settled/over"]

[[category.rule]]
why = "asks what causes, or what is behind, the user's own symptom (why it hurts is a cause asked for)"
within = "sentence"
near = 8
need.asked = ["cause", "causes", "causing", "caused", "why", "reason/reasons ... for/why/behind/my", "explanation*",
              "explain ... why", "coming from", "source of", "behind ... my/this/it", "sign/signs ... of",
              "symptom/symptoms ... of", "what does/do ... it/this/that/these/they ... mean", "what ... mean ... when",
              "does/do ... mean", "related", "linked", "connected",
              "what kind/type/sort ... of ... pain/problem/injury/condition/back pain ... do/have/is"]
need.own = ["my", "i", "im", "i'm", "ive", "i've", "me", "mine", "this", "these", "it"]
need.symptom = ["@problem", "symptom*", "lump*", "bump*", "burning", "shooting", "throbbing", "radiat*"]
# "Can the bridge cause pain?", "why does stretching make my back sore?": about the exercise, which the
# article's precautions answer.
unless = ["@exercises"]

# Asking what to make of a symptom of one's own is asking for a diagnosis, however it is worded ("any idea?",
# "should I worry?", "is that normal?"); asking what to do about it ("any idea what helps?") is not.
[[category.rule]]
why = "asks what to make of the user's own symptom, not what to do about it"
within = "sentence"
near = 12
need.asked = ["any idea", "any ideas", "what ... happening", "whats happening", "what ... going on",
              "whats going on", "should i worry", "should i be worried/concerned/scared", "do i need to worry",
              "is it/this/that ... normal", "is it/this/that ... bad", "bad sign", "how bad", "what organ",
              "what is this", "what is that", "whats this", "whats that", "damaged", "done something"]
need.own = ["my", "i", "im", "i'm", "ive", "i've", "me", "mine"]
need.symptom = ["@problem", "@back", "symptom*", "lump*", "bump*", "burning", "burns", "shooting", "throbbing",
                "lock*", "feel", "feels", "feeling"]
unless = ["@exercises", "help*", "what can/should/do i do", "how do/can/should i", "relieve*", "ease", "easing",
          "fix", "get rid", "improve*", "better", "safe"]

[[category.rule]]
why = "asks which of two conditions it is"
within = "sentence"
near = 3
need.label = ["@causes", "@labels"]
need.alternative = ["or"]
unless = ["@exercises"]

[[category]]
id = "other_body_part"
level = "other_body_part"
label = "other parts of the body"

[[category.rule]]
why = "a named problem of another part"
within = "sentence"
need.named = ["tennis elbow", "golfer* elbow", "frozen shoulder", "rotator cuff", "carpal tunnel",
         "plantar fasciitis", "shin splints", "runner* knee", "jumper* knee", "acl", "mcl", "meniscus",
         "achilles", "bunion*", "migraine*", "headache*", "tmj", "hip/knee/shoulder replacement*",
         "hip/knee/shoulder ... replaced", "whiplash", "upper back", "mid back", "middle back", "thoracic",
         "shoulder blade*", "pelvic floor", "kegel*"]
unless = ["lower back", "low back", "lumbar"]

[[category.rule]]
why = "a problem in another part, when the back is not what hurts"
within = "sentence"
near = 3
need.part = ["@parts"]
need.problem = ["@problem", "exercises/exercise/stretches/stretch/strengthen*/workout*/rehab"]
except_in = ["@article_parts"]
unless = ["back ... hurt*/pain*/ache*/aching/sore*/stiff*/tight*/problem*/issue*/injur*",
          "hurt*/pain*/ache*/aching/sore*/stiff*/tight* ... back", "backache*", "sciatica", "spine", "lumbar",
          "sore back", "bad back"]

[[category.rule]]
why = "exercises asked for another part"
within = "sentence"
near = 5
need.asked = ["exercises/exercise/stretches/stretch/strengthen*/strengthening/workout*/rehab ... for",
         "help/helps/good ... for", "strengthen/stretch/fix/heal"]
need.part = ["neck", "knee", "knees", "ankle", "ankles", "shoulder", "shoulders", "wrist", "wrists", "elbow",
        "elbows", "hand", "hands", "feet", "foot", "calf", "calves", "jaw", "hip", "hips"]
except_in = ["@article_parts"]

[[category]]
id = "off_topic"
level = "off_topic"
label = "something else"

[[category.rule]]
why = "plainly about something else, with nothing about the back or exercise"
within = "message"
need.topic = ["weather", "forecast", "poem", "poems", "song", "songs", "lyrics", "story", "stories", "joke*",
         "recipe*", "pizza", "restaurant*", "takeaway", "bitcoin", "crypto*", "stock", "stocks", "shares",
         "football", "soccer", "who won", "movie*", "film", "films", "netflix", "translate", "translation",
         "capital of", "president", "election", "homework", "essay", "python", "javascript", "coding", "code",
         "write me", "write a", "tell me a", "news", "lottery", "horoscope", "dating", "insurance", "flight*",
         "hotel*", "holiday*", "math*", "calculate", "what time is it", "population", "chess", "minecraft",
         "fortnite", "nba", "nfl", "premier league", "celebrity", "iphone", "android", "mortgage", "bake",
         "cake", "price of", "exchange rate", "sing", "riddle", "trivia", "quiz", "taxes", "tax return"]
unless = ["@domain"]
"""


@dataclass(frozen=True)
class Scope:
    """Whether a question is about the lower-back exercises article, and if not, why."""

    in_scope: bool
    reason: Reason | None


@lru_cache(maxsize=1)
def scope_rules() -> RuleSet:
    """The rules above, read once."""
    return RuleSet.from_dict(tomllib.loads(RULES), levels=REASONS)


def check_scope(question: str) -> Scope:
    """Out of scope only for the plain cases; the caller adds a retrieval-score check for the rest."""
    found = scope_rules().search([question])
    if found is None:
        return Scope(True, None)
    return Scope(False, next(reason for reason in REASONS if reason == found.category.id))
