from django.db import migrations

# Liaison staff (提案委工作人员) and office staff (办公室) are Django groups.
# Liaison staff may manage proposals and the vocabularies in the admin.
GROUPS = {
    "liaison": [
        ("proposals", ["session", "category", "proposer", "proposal", "signature",
                       "recommendation", "assignment", "feedback", "statechange"]),
        ("replies", ["adoptionstatus"]),
        ("agencies", ["agency"]),
    ],
    "office": [],
}


def add_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, models in grants:
            for model in models:
                actions = ["view"] if model == "statechange" else ["view", "add", "change"]
                codenames = [f"{action}_{model}" for action in actions]
                group.permissions.add(
                    *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("proposals", "0002_default_categories"),
        ("replies", "0002_default_adoption_statuses"),
        ("agencies", "0001_initial"),
    ]
    operations = [migrations.RunPython(add_groups, migrations.RunPython.noop)]
