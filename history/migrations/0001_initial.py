# The history moves here from the proposals app; its table stays as it is.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("proposals", "0015_text_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StateChange",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("object_id", models.PositiveBigIntegerField(verbose_name="对象编号")),
                        ("action", models.CharField(max_length=30, verbose_name="操作")),
                        ("source", models.CharField(blank=True, max_length=20, verbose_name="原状态")),
                        ("target", models.CharField(blank=True, max_length=20, verbose_name="新状态")),
                        ("reason", models.TextField(blank=True, verbose_name="理由")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="附加信息")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
                        ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype", verbose_name="对象类型")),
                        ("proposal", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="history", to="proposals.proposal", verbose_name="提案")),
                    ],
                    options={
                        "verbose_name": "办理记录",
                        "verbose_name_plural": "办理记录",
                        "db_table": "proposals_statechange",
                        "ordering": ["at", "id"],
                        "indexes": [models.Index(fields=["content_type", "object_id"], name="proposals_s_content_297bb4_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
