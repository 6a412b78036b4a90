from django.db import migrations

DEFAULTS = ["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设", "其他"]


def add_defaults(apps, schema_editor):
    Category = apps.get_model("proposals", "Category")
    for position, name in enumerate(DEFAULTS, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
