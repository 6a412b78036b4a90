from django.db import migrations

DEFAULTS = [
    # code, label, phrase printed in the letter, suggested class
    ("adopted", "吸收采纳", "吸收采纳该项建议。", "A"),
    ("in_progress", "正在落实", "该项建议正在落实。", "B"),
    ("planned", "列入计划", "该项建议已列入计划。", "B"),
    ("reference", "留作参考", "该项建议留作参考。", "C"),
    ("explained", "解释说明", "现就该项建议说明如下。", "C"),
]


def add_defaults(apps, schema_editor):
    AdoptionStatus = apps.get_model("replies", "AdoptionStatus")
    for position, (code, label, phrase, klass) in enumerate(DEFAULTS, start=1):
        AdoptionStatus.objects.get_or_create(
            code=code,
            defaults={"label": label, "phrase": phrase, "suggests_class": klass, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("replies", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
