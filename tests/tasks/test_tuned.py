"""The measured recipes are the ones the registry hands out."""

from rasplab.tasks.tuned import TUNED

from rasplab import tasks


def test_every_tuned_recipe_names_a_task_and_is_applied():
    for name, changes in TUNED.items():
        recipe = tasks.get(name).recipe
        for field, value in changes.items():
            assert getattr(recipe, field) == value, (name, field)


def test_untuned_tasks_keep_their_family_recipe():
    assert tasks.get("sort_var").recipe.steps == 6000
