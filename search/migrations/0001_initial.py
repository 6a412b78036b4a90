"""The search index: one entry per proposal, recommendation, section and letter.

On PostgreSQL the entries' terms are a tsvector column with a GIN index; other
databases keep the terms as text and the search scans the folded text.
"""

import django.db.models.deletion
from django.db import migrations, models

import search.models


class PostgreSQLOnly(migrations.RunSQL):
    """Raw SQL that runs on PostgreSQL and is skipped on any other database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('proposals', '0005_remove_session_due_days'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('proposal', '提案'), ('recommendation', '建议'), ('section', '办理意见'), ('letter', '答复函')], max_length=16, verbose_name='类型')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='对象编号')),
                ('title', models.CharField(max_length=400, verbose_name='标题')),
                ('keywords', models.CharField(blank=True, help_text='检索时一并查找但不计入相似度的信息，如提案号和提案者。', max_length=500, verbose_name='关键信息')),
                ('text', models.TextField(blank=True, verbose_name='正文')),
                ('folded', models.TextField(blank=True, help_text='标题、关键信息和正文的规范化形式，供逐字查找。', verbose_name='规范化文本')),
                ('terms', search.models.TermsField(blank=True, verbose_name='检索词')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='search_entries', to='proposals.proposal', verbose_name='提案')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='proposals.session', verbose_name='届次会议')),
            ],
            options={
                'verbose_name': '检索条目',
                'verbose_name_plural': '检索条目',
                'constraints': [models.UniqueConstraint(fields=('kind', 'object_id'), name='search_entry_unique_object')],
            },
        ),
        PostgreSQLOnly(
            sql="CREATE INDEX search_entry_terms ON search_searchentry USING gin (terms)",
            reverse_sql="DROP INDEX IF EXISTS search_entry_terms",
        ),
    ]
