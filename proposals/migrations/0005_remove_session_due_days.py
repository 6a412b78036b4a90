"""The day counts replaced by the period rules of 0004."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0004_session_due_rules'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='session',
            name='co_due_days',
        ),
        migrations.RemoveField(
            model_name='session',
            name='lead_due_days',
        ),
    ]
