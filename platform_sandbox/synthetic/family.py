"""Family links: spouses among the citizens, grown-up children, and grandchildren who are the
students of the education domain (so that a grandparent's token finds the school bills).
"""

from __future__ import annotations

import random

from . import names
from .citizens import CENSUS_DATE, age_on, unique_phone
from .demo import profile_of
from .records import Citizen, Dataset, FamilyLink, Student

SPOUSE_SHARE = 0.4
"""Share of citizens married to another citizen of the dataset."""

GRANDPARENT_MIN_AGE = 60


def generate_family(rng: random.Random, dataset: Dataset) -> None:
    """Add spouse, child and grandchild links to ``dataset``."""
    _spouses(rng, dataset)
    used_phones = {citizen.phone for citizen in dataset.citizens}
    for citizen in dataset.citizens:
        for _ in range(rng.choices((1, 2, 3), weights=(4, 4, 2))[0]):
            surname = citizen.name[0] if citizen.gender == "M" else None
            dataset.family_links.append(
                FamilyLink(
                    citizen_id=citizen.citizen_id,
                    relation="child",
                    name=names.adult_name(rng, surname),
                    phone=unique_phone(rng, used_phones),
                )
            )
    _grandchildren(rng, dataset)


def _spouses(rng: random.Random, dataset: Dataset) -> None:
    """Pair men and women of one district whose ages differ by at most six years."""
    unpaired = [c for c in dataset.citizens if profile_of(c.citizen_id) is None]
    rng.shuffle(unpaired)
    taken: set[str] = set()
    wanted = int(len(dataset.citizens) * SPOUSE_SHARE / 2)
    for husband in (c for c in unpaired if c.gender == "M"):
        if wanted == 0:
            break
        wife = next(
            (
                c
                for c in unpaired
                if c.gender == "F"
                and c.citizen_id not in taken
                and c.district == husband.district
                and abs(_age(c) - _age(husband)) <= 6
            ),
            None,
        )
        if wife is None:
            continue
        taken.add(wife.citizen_id)
        wanted -= 1
        for one, other in ((husband, wife), (wife, husband)):
            dataset.family_links.append(
                FamilyLink(
                    citizen_id=one.citizen_id,
                    relation="spouse",
                    name=other.name,
                    phone=other.phone,
                    relative_citizen_id=other.citizen_id,
                )
            )


def _grandchildren(rng: random.Random, dataset: Dataset) -> None:
    """Every student gets one or two grandparents; paternal ones share the surname."""
    grandparents = [
        c
        for c in dataset.citizens
        if profile_of(c.citizen_id) is None and _age(c) >= GRANDPARENT_MIN_AGE
    ]
    demo_grandparent = next(
        c for c in dataset.citizens if (p := profile_of(c.citizen_id)) and p.key == "grandparent"
    )
    demo_student = demo_student_id(dataset)
    for student in dataset.students:
        chosen: list[Citizen] = []
        if student.student_id == demo_student:
            chosen.append(demo_grandparent)
        else:
            same_surname = [c for c in grandparents if c.name[0] == student.name[0]]
            chosen.append(rng.choice(same_surname or grandparents))
        if rng.random() < 0.5:
            other = rng.choice(grandparents)
            if other not in chosen:
                chosen.append(other)
        for grandparent in chosen:
            dataset.family_links.append(_grandchild_link(grandparent, student))


def _grandchild_link(grandparent: Citizen, student: Student) -> FamilyLink:
    return FamilyLink(
        citizen_id=grandparent.citizen_id,
        relation="grandchild",
        name=student.name,
        student_id=student.student_id,
    )


def demo_student_id(dataset: Dataset) -> str:
    """The demo student: the first student (in generation order) whose only bill is unpaid."""
    for student in dataset.students:
        bills = dataset.bills_of(student.student_id)
        if len(bills) == 1 and bills[0].status == "unpaid":
            return student.student_id
    raise LookupError(f"seed {dataset.seed} has no student with exactly one unpaid bill")


def _age(citizen: Citizen) -> int:
    return age_on(citizen.birth_date, CENSUS_DATE)
