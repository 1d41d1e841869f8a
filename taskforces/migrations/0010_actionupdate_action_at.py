"""An index on an action's updates by date (issue 16).

The axis balance (``selectors/balance.py``) read every update of a task force's actions to
find the latest one of each axis: 128 ms of SQL at 400 actions per task force, growing with
the history. It now reads per action the updates of its window and its latest update, each
a short range of this index (with the confidentiality the police-judicial rule filters on,
so the table itself is not read).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("taskforces", "0009_search_indexes_tuned")]

    operations = [
        migrations.AddIndex(
            model_name="actionupdate",
            index=models.Index(
                fields=["action", "at", "confidentiality"],
                name="actionupdate_action_at",
            ),
        ),
    ]
