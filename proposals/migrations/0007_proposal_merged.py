"""并案: a proposal merged into another of its session is handled with it (state 已并案)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0006_extension_requests'),
    ]

    operations = [
        migrations.AddField(
            model_name='proposal',
            name='merged_into',
            field=models.ForeignKey(blank=True, help_text='并案后由该提案一并办理。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_proposals', to='proposals.proposal', verbose_name='并入提案'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='state',
            field=models.CharField(choices=[('submitted', '待审查'), ('registered', '已立案'), ('converted', '转为意见建议'), ('withdrawn', '已撤案'), ('assigned', '已交办'), ('replied', '已答复'), ('reopened', '重新办理'), ('closed', '已办结'), ('merged', '已并案')], db_index=True, default='submitted', max_length=12, verbose_name='状态'),
        ),
    ]
