"""``procguide new``: a starter procedure file that already passes validate and lint.

Every field is there, with a comment saying what it is for, and text that tells the writer
what to put in it. That text starts with TODO, so ``procguide lint`` warns until each piece
is replaced, and ``lint --strict`` (what CI runs) fails until the file is finished.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from string import Template

from procguide.errors import OutputError, UsageError
from procguide.output import atomic_write, default_mode

_TEMPLATE = Template("""\
# $name: a new procedure file, made by `procguide new $id`.
# Replace every TODO with plain words a patient can follow, then check the file with:
#   procguide validate $id.yaml && procguide lint --strict $id.yaml
# Plain language: write "you", keep sentences under 15 words, explain each medical term once
# in brackets after plain words: "live X-ray pictures (fluoroscopy)".
# Every item cites the `sources` (ids at the end of this file) that support what it says.
# Never invent a number, a dose or a time: give a time only when a source gives it.

# The file name without .yaml: lower-case letters, digits and hyphens.
id: $id
# The name patients know.
name: $name
# The formal name, for example the CPT descriptor.
technical_name: "TODO: the formal name of the procedure"
# Other short names people type to find it (optional), for example:
# aliases: [ebp, epidural-blood-patch]
# Billing codes (optional). Only codes a source confirms; each code names one procedure.
# codes:
#   cpt: ["62273"]

# Options a clinician turns on for one patient (optional). Each needs a one-line
# description, and items use it with `when: [name]` (shown only then) or `unless: [name]`.
# flags:
#   sedation: You will get medicine through a drip to help you relax (sedation).

# What the procedure is, in two or three sentences.
summary:
  text: "TODO: Say what this is in two or three short sentences that a child could follow."
  sources: [todo-source]

# Why it is done.
purpose:
  text: "TODO: Say what problem it helps with, and how it helps."
  sources: [todo-source]

# Who it is for: the problems it treats. One item per problem.
indications:
  - text: "TODO: A problem this can help with."
    sources: [todo-source]

# What to do before the procedure. `before:` (optional) gives when a step is due, such as
# 6h or 2d before the start; give one only when a source gives that time.
preparation:
  - text: "TODO: Tell your care team about all the medicines you take."
    sources: [todo-source]
  # A handout never tells a patient to stop a medicine on their own. For blood thinners:
  # "Tell your care team if you take a medicine that thins your blood (a blood thinner).
  #  Do not stop taking it unless your care team tells you to."

# What happens during the procedure, in order. One step per item.
steps:
  - text: "TODO: The first thing that happens. Say who does it."
    sources: [todo-source]
  - text: "TODO: The next thing that happens."
    sources: [todo-source]

# How long it takes.
duration:
  text: "TODO: How long it takes, from your sources."
  sources: [todo-source]

# Where it is done.
setting:
  text: "TODO: Where it is done, such as a clinic or a hospital."
  sources: [todo-source]

# Who does it.
personnel:
  - text: "TODO: Who does it, in plain words first."
    sources: [todo-source]

# What the patient feels during and right after.
patient_experience:
  - text: "TODO: What you may feel while it is done, and just after."
    sources: [todo-source]

# What can go wrong, and how it is handled.
risks:
  # Risks many people have, usually mild.
  common:
    - text: "TODO: A common risk that is mild."
      sources: [todo-source]
  # Serious risks that do not happen often.
  rare:
    - text: "TODO: A serious risk that is rare."
      sources: [todo-source]
  # How the care team treats a problem if one happens.
  management:
    - text: "TODO: What your care team does if a problem happens."
      sources: [todo-source]

# What it can do for the patient.
benefits:
  - text: "TODO: What it can do for you."
    sources: [todo-source]

# The recovery timeline. `from:` and `to:` (optional) give the window after the procedure,
# such as from: 0h to: 2d; leave `to` out for "from then on".
recovery:
  - text: "TODO: What to expect or do once you are home."
    sources: [todo-source]

# Activity limits (optional). `until:` (optional) says how long each lasts after the procedure.
restrictions:
  - text: "TODO: Something you should not do for a while, and for how long."
    sources: [todo-source]

# Follow-up visits, calls or checks. `after:` (optional) gives about when.
follow_up:
  - text: "TODO: When your care team will check on you, and how."
    sources: [todo-source]

# When to get help. Do not write phone numbers: the handout adds the clinic's and the
# emergency number. Each sign has an `id` (lower-case words and hyphens) that a teach-back
# question below links to.
get_help:
  # Signs that mean: call the clinic today.
  call_clinic:
    - text: "TODO: A sign that means you should call the clinic today."
      id: todo-clinic-sign
      sources: [todo-source]
  # Signs that mean: call the emergency number now. Cover the serious red flags.
  call_emergency:
    - text: "TODO: A sign that means you should call for help right now."
      id: todo-emergency-sign
      sources: [todo-source]
  # What to do when the clinic cannot be reached, such as going to an emergency room.
  cannot_reach:
    text: "TODO: If you cannot reach us, go to the nearest emergency room. Say what you had."
    sources: [todo-source]

# With a `sedation` flag, the escort's sheet (handout --kind escort) is for the adult who takes
# the patient home: list here what they must watch for and do, said to them, and give each
# restriction and sign an `escort:` line saying the same to them ("They must not drive").
# escort:
#   - include: sedation-aftercare

# One to three teach-back questions the nurse asks before the patient goes home. Each names,
# in `checks`, the ids of the items it checks; together they check every sign above. The
# `points` are the key points of a correct answer, in plain words, with their sources.
teach_back:
  - id: get-help
    text: "TODO: Tell me in your own words: which problems mean you call us, or need help now?"
    checks: [todo-clinic-sign, todo-emergency-sign]
    points:
      - text: "TODO: The signs that mean: call us today."
        sources: [todo-source]
      - text: "TODO: The signs that mean: get emergency help now."
        sources: [todo-source]
    sources: [todo-source]

# Other options.
alternatives:
  - text: "TODO: Another way to treat the same problem."
    sources: [todo-source]

# Reasons for choosing it.
pros:
  - text: "TODO: A good reason to choose this."
    sources: [todo-source]

# Reasons against it.
cons:
  - text: "TODO: A reason not to choose this."
    sources: [todo-source]

# The references items cite: each one a clinician can look up at its https:// address.
sources:
  - id: todo-source
    title: "TODO: the title of the page or leaflet"
    publisher: "TODO: who published it, such as a hospital or health service"
    url: https://example.org/TODO
    # One of: regulator, national-health-service, hospital-leaflet, professional-society,
    # peer-reviewed, product-labelling (which a clinician can rely on), clinic-web-page, seed.
    kind: hospital-leaflet

# The last clinical review. Set the date when a clinician has checked the file
# against its sources, and name them.
review:
  reviewed: $today
  reviewer: "TODO: name and role of the clinician who checked it"
""")


def starter(procedure_id: str, today: date) -> str:
    """The starter file for ``procedure_id``; raises UsageError for an id that cannot be one."""
    from procguide.content.model import FLAG_PATTERN  # ids and flags share one pattern

    if not FLAG_PATTERN.fullmatch(procedure_id):
        raise UsageError(
            f"'{procedure_id}' cannot be a procedure id",
            hint="use lower-case letters, digits and single hyphens, like nerve-block",
        )
    name = procedure_id.replace("-", " ").capitalize()
    return _TEMPLATE.substitute(id=procedure_id, name=name, today=today.isoformat())


def target(procedure_id: str, output: Path | None) -> Path:
    """Where to write: ``ID.yaml`` here, in the folder given, or the file given."""
    if output is None:
        return Path(f"{procedure_id}.yaml")
    if output.is_dir():
        return output / f"{procedure_id}.yaml"
    if output.name != f"{procedure_id}.yaml":
        raise UsageError(
            f"the file must be called {procedure_id}.yaml, because the id is the file name",
            hint=f"use -o {output.parent / (procedure_id + '.yaml')}",
        )
    return output


def write_new(path: Path, data: bytes) -> None:
    """Write ``path`` completely or not at all, and never over an existing file."""
    if path.exists():
        raise OutputError(
            f"{path} already exists; not overwriting it", hint="choose another id or move it away"
        )
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        atomic_write(path, data, replace=False, mode=default_mode())
    except FileExistsError:
        raise OutputError(f"{path} already exists; not overwriting it") from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
