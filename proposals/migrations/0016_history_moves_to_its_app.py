# The history (StateChange) now belongs to the history app; the table is unchanged.
# Its content type follows it, so that permissions granted on it are kept.

from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="history", model="statechange").exists():
        ContentType.objects.filter(app_label="proposals", model="statechange").update(app_label="history")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="proposals", model="statechange").exists():
        ContentType.objects.filter(app_label="history", model="statechange").update(app_label="proposals")


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0015_text_limits"),
        ("history", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StateChange")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
