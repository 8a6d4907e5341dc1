"""The repository is whole: its tests and its app read nothing that stands beside it."""

import pytest

from layers import plans
from layers.records import PLANS
from tests.conftest import REPO, OutsideRepository


def test_a_read_beside_the_repository_is_refused():
    with pytest.raises(OutsideRepository, match="outside the repository"):
        open(REPO.parent / "shared" / "seeds" / "jiaodong-plan-2021.txt", encoding="utf-8")


def test_reads_inside_the_repository_pass():
    assert (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_ships_its_text(plan):
    text = plans.text(plan)
    assert len(text) > 5_000 and plans.TEXTS.is_relative_to(REPO)
