"""Word lists behind the plain-language lint rules.

Kept apart from the rules so a clinician reviewing the lists sees only words. Every entry
here was chosen because patients often do not know it, or because a handout must not say
it; a word that good plain-language text uses every day does not belong here.
"""

from __future__ import annotations

JARGON: dict[str, str] = {
    # Imaging, numbing and pain relief.
    "fluoroscopy": "live X-ray",
    "fluoroscopic": "live X-ray",
    "general anesthesia": "medicine that puts you fully to sleep",
    "general anaesthesia": "medicine that puts you fully to sleep",
    "general anesthetic": "medicine that puts you fully to sleep",
    "general anaesthetic": "medicine that puts you fully to sleep",
    "anesthesia": "numbing medicine",
    "anaesthesia": "numbing medicine",
    "anesthetic": "numbing medicine",
    "anaesthetic": "numbing medicine",
    "analgesic": "pain medicine",
    "analgesia": "pain relief",
    "corticosteroid": "steroid",
    "contrast medium": "dye",
    "contrast agent": "dye",
    "catheter": "thin tube",
    "cannula": "thin tube",
    "antiseptic": "germ-killing liquid",
    "topical": "on the skin",
    # Where and how.
    "subcutaneous": "under the skin",
    "percutaneous": "through the skin",
    "intravenous": "into a vein",
    "intramuscular": "into a muscle",
    "intrathecal": "into the spinal fluid",
    "cerebrospinal fluid": "spinal fluid",
    "bilateral": "both sides",
    "unilateral": "one side",
    "anterior": "front",
    "posterior": "back",
    "prone": "lying on your front",
    "supine": "lying on your back",
    "ambulate": "walk",
    "vertebra": "bone of the spine",
    "vertebrae": "bones of the spine",
    "myofascial": "muscle",
    # Signs and symptoms.
    "erythema": "redness",
    "edema": "swelling",
    "oedema": "swelling",
    "hematoma": "a large bruise",
    "haematoma": "a large bruise",
    "ecchymosis": "bruise",
    "paresthesia": "tingling",
    "paraesthesia": "tingling",
    "pruritus": "itching",
    "syncope": "fainting",
    "vasovagal": "fainting",
    "dysphagia": "trouble swallowing",
    "dyspnea": "shortness of breath",
    "emesis": "throwing up",
    "febrile": "fever",
    "pyrexia": "fever",
    "hypotension": "low blood pressure",
    "hypertension": "high blood pressure",
    "hyperglycemia": "high blood sugar",
    "hypoglycemia": "low blood sugar",
    "incontinence": "cannot control your bladder or bowels",
    "radiculopathy": "pinched nerve",
    "neuropathy": "nerve damage",
    "anticoagulant": "blood thinner",
    "antiplatelet": "blood thinner",
    "contraindicated": "not safe for you",
    "contraindication": "reason not to have it",
    "prophylactic": "to prevent",
    "prophylaxis": "to prevent",
    "efficacy": "how well it works",
    "adverse": "harmful",
    "transient": "short-lived",
    "benign": "not harmful",
    "NPO": "nothing to eat or drink",
    "NSAID": "anti-inflammatory pain medicine",
}
"""Term (matched as a whole word, any case, with -s/-es/-d/-ed/-ing endings) -> plain words."""

WORDY: dict[str, str] = {
    "administer": "give",
    "discontinue": "stop",
    "utilize": "use",
    "prior to": "before",
    "subsequent": "later",
    "subsequently": "later",
    "commence": "start",
    "approximately": "about",
    "sufficient": "enough",
    "adjacent": "next to",
}
"""Officialese that has a shorter everyday word with the same meaning."""

JARGON.update(WORDY)

EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    # Other plain words that explain a term when they are in the same sentence.
    "general anesthesia": ("asleep", "to sleep"),
    "general anaesthesia": ("asleep", "to sleep"),
    "general anesthetic": ("asleep", "to sleep"),
    "general anaesthetic": ("asleep", "to sleep"),
    "anesthesia": ("numb",),
    "anaesthesia": ("numb",),
    "anesthetic": ("numb",),
    "anaesthetic": ("numb",),
    "fluoroscopy": ("x-ray",),
    "fluoroscopic": ("x-ray",),
    "hematoma": ("bruise", "blood"),
    "haematoma": ("bruise", "blood"),
}
"""Built-in terms and further plain words (lower case) that explain them in a sentence."""

JARGON_NOT_BEFORE: dict[str, str] = {
    # "prone to infection" means "likely to get", not a body position.
    "prone": r"\s+to\b",
}
"""Built-in terms that are not jargon when followed by this pattern."""

CASE_SENSITIVE = frozenset({"NPO", "NSAID"})
"""Abbreviations matched only in capitals, so ordinary words are never mistaken for them."""

BE_FORMS = frozenset({"am", "is", "are", "was", "were", "be", "been", "being", "isn't", "aren't"})
"""Forms of "to be" that start a passive: "the skin is cleaned"."""

ADVERBS = frozenset(
    {
        "not", "usually", "often", "also", "then", "always", "sometimes", "never",
        "rarely", "normally", "first", "only", "still", "gently", "carefully",
    }
)  # fmt: skip
"""Words allowed between "be" and the participle: "is usually numbed"."""

PARTICIPLES = frozenset(
    {
        "given", "taken", "seen", "written", "driven", "broken", "chosen", "eaten",
        "forgotten", "hidden", "shown", "spoken", "beaten", "bitten", "woken",
        "proven", "shaken", "stolen", "frozen", "fallen", "drawn", "withdrawn",
        "kept", "left", "held", "told", "sent", "made", "found", "done", "put", "cut", "worn",
    }
)  # fmt: skip
"""Past participles that do not end in -ed; after "be" they make a passive."""

OFFICIAL = frozenset({"recommended", "advised", "suggested", "requested", "instructed"})
"""Participles of official advice: "you are advised to rest" is plainer as "rest"."""

NOT_PASSIVE = frozenset(
    {
        # Words ending in -ed that are not verbs.
        "bed", "red", "shed", "hundred", "need", "speed", "bleed", "feed", "seed", "naked",
        "sacred", "wicked",
        # States and set phrases where "be" + participle is the plain way to say it.
        "called", "named", "needed", "based", "related", "located", "supposed", "used",
        "tired", "worried", "scared", "pleased", "interested", "concerned", "bored",
        "surprised", "excited", "relaxed", "married", "swollen", "infected", "inflamed",
        "bruised", "sedated", "finished", "involved", "prepared", "expected", "required",
        "allowed", "known", "dressed", "qualified", "trained", "registered",
        "covered", "insured", "closed", "opened", "blocked",
    }
)  # fmt: skip
"""Words after "be" that the passive rule leaves alone."""

OBLIGATION = r"\b(?:should|must|need|needs|has|have|ought)(?: to)?$|\bto$"
"""Words just before "be" that make an instruction: "should be removed", "needs to be kept"."""

STOP_VERBS = r"stop|stopping|quit|discontinue|pause|skip|hold\s+off|come\s+off"
"""Verbs that tell a patient to stop something (a regular-expression alternation)."""

MEDICINES = (
    r"medicines?|medications?|drugs?|pills?|tablets?|doses?|blood[- ]thinners?|"
    r"anticoagulants?|antiplatelets?|aspirin|warfarin|coumadin|clopidogrel|plavix|"
    r"apixaban|eliquis|rivaroxaban|xarelto|dabigatran|pradaxa|edoxaban|heparin|"
    r"enoxaparin|insulin|metformin|ibuprofen|naproxen|nsaids?|supplements?|"
    r"prescriptions?|steroids?|painkillers?|pain\s+relievers?|injections?"
)
"""Words that name a medicine (a regular-expression alternation)."""

CARE_TEAM = r"care\s+team|doctor|nurse|clinic|prescriber|prescribed"
"""Wording that sends the decision back to the patient's care team."""
