"""The booth allocation rule (booth_rules), pure: industry zones, class and capacity, one
employer a booth and one booth an employer, the same plan for the same input, natural booth
order; and the major group an employer's vacancies give it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.employment.booth_rules import Applicant, Booth, allocate, booth_key, major_group

CLASSES = ("standard", "large", "corner")


def test_groups_take_booths_in_order_of_industry_and_size() -> None:
    booths = [Booth(i, f"A{i:02d}", "standard", 5) for i in range(1, 5)]
    apps = [
        Applicant(1, 10, "standard", 2, "6"),
        Applicant(2, 11, "standard", 5, "4"),
        Applicant(3, 12, "standard", 1, "4"),
    ]
    plan = allocate(booths, apps)
    # group 4 first (the employer with more posts first), then group 6
    assert plan.seats == {2: 1, 3: 2, 1: 3}
    assert plan.zones == {1: "4", 2: "4", 3: "6"}
    assert plan.unplaced == ()


def test_class_and_capacity_are_respected_and_the_rest_unplaced() -> None:
    booths = [Booth(1, "A01", "standard", 5), Booth(2, "B01", "large", 10)]
    apps = [
        Applicant(1, 10, "large", 8, "4"),
        Applicant(2, 11, "large", 3, "4"),  # the only large booth is taken
        Applicant(3, 12, "standard", 6, "4"),  # brings more than a standard booth shows
        Applicant(4, 13, "corner", 1, "4"),  # no corner booth at all
    ]
    plan = allocate(booths, apps)
    assert plan.seats == {1: 2}
    assert plan.unplaced == (2, 3, 4)


def test_booth_numbers_sort_naturally() -> None:
    assert sorted(["A10", "A2", "B1", "A01"], key=booth_key) == ["A01", "A2", "A10", "B1"]


def test_major_group_is_the_most_common_then_the_smallest() -> None:
    assert major_group(["4-03", "6-01", "6-02-01"]) == "6"
    assert major_group(["6-01", "4-03"]) == "4"
    assert major_group([]) == "0"


booth_lists = st.lists(
    st.tuples(st.sampled_from(CLASSES), st.integers(1, 12)), min_size=0, max_size=25
).map(lambda xs: [Booth(i + 1, f"{c[0].upper()}{i + 1}", c, cap) for i, (c, cap) in enumerate(xs)])
applicant_lists = st.lists(
    st.tuples(
        st.integers(1, 15),  # employer (repeats allowed: a hostile input)
        st.sampled_from(CLASSES),
        st.integers(1, 12),
        st.sampled_from("12345678"),
    ),
    max_size=30,
).map(lambda xs: [Applicant(i + 1, e, c, p, g) for i, (e, c, p, g) in enumerate(xs)])


@settings(max_examples=300, deadline=None)
@given(booth_lists, applicant_lists)
def test_a_booth_never_holds_two_employers(booths: list[Booth], apps: list[Applicant]) -> None:
    plan = allocate(booths, apps)
    by_id = {b.id: b for b in booths}
    app_of = {a.id: a for a in apps}
    used = list(plan.seats.values())
    assert len(used) == len(set(used))  # one employer a booth
    employers = [app_of[a].employer_id for a in plan.seats]
    assert len(employers) == len(set(employers))  # one booth an employer
    for a_id, b_id in plan.seats.items():
        a, b = app_of[a_id], by_id[b_id]
        assert b.klass == a.klass and b.capacity >= a.posts
        assert plan.zones[b_id] == a.group
    assert set(plan.seats) | set(plan.unplaced) == set(app_of)
    assert not set(plan.seats) & set(plan.unplaced)
    # deterministic whatever the order the input comes in
    again = allocate(list(reversed(booths)), list(reversed(apps)))
    assert again == plan


@settings(max_examples=200, deadline=None)
@given(booth_lists, applicant_lists)
def test_an_unplaced_employer_had_no_fitting_free_booth(
    booths: list[Booth], apps: list[Applicant]
) -> None:
    plan = allocate(booths, apps)
    taken = set(plan.seats.values())
    once = {e for e in {a.employer_id for a in apps} if sum(x.employer_id == e for x in apps) == 1}
    for a in apps:
        if a.id in plan.unplaced and a.employer_id in once:
            assert not [
                b
                for b in booths
                if b.id not in taken and b.klass == a.klass and b.capacity >= a.posts
            ]
